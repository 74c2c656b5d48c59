/**
 * The items of `items` until `signal` aborts, then done, even while waiting for the next
 * one. A reflection client may keep its stream open and idle for as long as it likes;
 * this lets shutdown end such streams (with OK) instead of waiting out its grace period.
 */
export async function* untilAborted<T>(items: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncIterable<T> {
  if (!signal) return yield* items;
  const iterator = items[Symbol.asyncIterator]();
  const stopped: IteratorResult<T> = { done: true, value: undefined };
  let onAbort = () => {};
  const aborted = new Promise<IteratorResult<T>>((resolve) => {
    onAbort = () => resolve(stopped);
  });
  if (signal.aborted) onAbort();
  signal.addEventListener("abort", onAbort);
  let pending: Promise<IteratorResult<T>> | undefined;
  try {
    for (;;) {
      pending = iterator.next();
      const next = await Promise.race([pending, aborted]);
      if (next.done) return;
      pending = undefined;
      yield next.value;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    // Abandoned once aborted: whatever it settles to (the client leaving) no longer matters.
    pending?.catch(() => {});
  }
}
