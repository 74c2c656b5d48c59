/**
 * Response writes held to the end of the event-loop turn in which they became ready, then
 * made back to back (one setImmediate for all of them).
 *
 * Why: a client waiting for its answer is asleep, and the first bytes to reach a sleeping
 * process pay for waking it. Over loopback (a proxy or sidecar on the same host, and the
 * bench) that wake-up is a cross-CPU interrupt charged to this process, about 20 µs here:
 * more than the write itself. A unary call's own work runs between two writes, so written
 * at once, every response found its client asleep again. Written together, the responses
 * of one turn wake it about once.
 * Side by side (docs/performance.md): about 35% less CPU per Connect JSON call over
 * HTTP/1.1, 10% over HTTP/2.
 *
 * The cost: a response waits for the calls that run after it in the same turn, at most one
 * turn's work. Streams are not held; they pace themselves (http2-unary.ts, yieldAfterBytes).
 */
const held: { write: () => void; failed: (error: unknown) => void }[] = [];

/**
 * Makes `write` at the end of this turn, after the writes held before it. If it throws,
 * `failed` gets the error; the other writes are made regardless.
 */
export function writeAtEndOfTurn(write: () => void, failed: (error: unknown) => void): void {
  held.push({ write, failed });
  if (held.length === 1) setImmediate(writeHeld);
}

function writeHeld(): void {
  // Writes held while these run (a failure handler writing, say) wait for the next turn.
  const batch = held.splice(0);
  for (const { write, failed } of batch) {
    try {
      write();
    } catch (error) {
      failed(error);
    }
  }
}
