/**
 * The items of `items` until `signal` aborts, then done, even while waiting for the next
 * one. A reflection client may keep its stream open and idle for as long as it likes;
 * this lets shutdown end such streams (with OK) instead of waiting out its grace period.
 * The wait abandoned at abort settles later (the client leaves) and is ignored: the race
 * has already subscribed to it.
 */
export async function* untilAborted<T>(items: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncIterable<T> {
  if (!signal) return yield* items;
  if (signal.aborted) return;
  const iterator = items[Symbol.asyncIterator]();
  const stopped: IteratorResult<T> = { done: true, value: undefined };
  // Aborted when this generator ends, which removes the listener from the long-lived signal.
  const finished = new AbortController();
  const aborted = new Promise<IteratorResult<T>>((resolve) => {
    signal.addEventListener("abort", () => resolve(stopped), { once: true, signal: finished.signal });
  });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    finished.abort();
  }
}
