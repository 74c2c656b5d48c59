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
 *
 * Work that can wait for the responses (runAfterWrites: the observers that log, trace and
 * measure each call) runs after them, in the same turn.
 */
interface Held {
  run: () => void;
  failed: (error: unknown) => void;
}

const writes: Held[] = [];
const afterWrites: Held[] = [];

/**
 * Makes `write` at the end of this turn, after the writes held before it. If it throws,
 * `failed` gets the error; the other writes are made regardless.
 */
export function writeAtEndOfTurn(write: () => void, failed: (error: unknown) => void): void {
  hold(writes, write, failed);
}

/**
 * Runs `task` at the end of this turn, after the turn's writes and the tasks held before
 * it. If it throws, `failed` gets the error; the other tasks run regardless.
 *
 * Why: the settled callbacks of a turn's calls (src/interceptors/rpc-call.ts,
 * SettleScheduler) run one after another instead of each between its call's parsing,
 * query and encoding: the same work, ~4% more Connect JSON calls per second, side by side
 * (docs/performance.md). And the responses leave before it.
 */
export function runAfterWrites(task: () => void, failed: (error: unknown) => void): void {
  hold(afterWrites, task, failed);
}

function hold(queue: Held[], run: () => void, failed: (error: unknown) => void): void {
  queue.push({ run, failed });
  if (writes.length + afterWrites.length === 1) setImmediate(runHeld);
}

function runHeld(): void {
  // What is held while these run (a failure handler writing, a task holding a write) waits
  // for the next turn.
  const batch = writes.splice(0).concat(afterWrites.splice(0));
  for (const { run, failed } of batch) {
    try {
      run();
    } catch (error) {
      failed(error);
    }
  }
}
