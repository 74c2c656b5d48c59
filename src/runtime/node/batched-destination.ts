import { closeSync, openSync, writeSync } from "node:fs";

/** Where log lines go: what pino and rpcLogLines write into (pino's DestinationStream, plus flushSync). */
export interface LineDestination {
  write(line: string): boolean;
  /** Writes what is pending now, synchronously. */
  flushSync(): void;
  /** Flushes and closes a file the destination opened (never a descriptor it was given). */
  end(): void;
}

/** Lines wait for this many bytes (about 60 RPC lines), or for flushAfterMs: a write is a system call. */
const batchBytes = 16 * 1024;
const flushAfterMs = 100;

/** How long a write waits before retrying when a non-blocking pipe is full (EAGAIN). */
const retryAfterMs = 10;

/**
 * Where the server's log lines go (stdout unless told otherwise), in batches: lines collect
 * until 16 KiB or 100 ms, then leave in one synchronous write, as Node itself writes
 * process.stdout to files and pipes on Linux. What is pending is written when the process
 * exits, also after an uncaught exception; a SIGKILL loses at most the last 100 ms. A
 * write that fails (EPIPE, ENOSPC) drops its batch and says so on stderr: logging never
 * fails a call or ends the process.
 *
 * Why not pino.destination (sonic-boom) with the same minLength and periodicFlush, as
 * before: its write appends each line to one pending string and measures that string's
 * byte length again on every line, which copies the whole batch per line (about 2.4 KB of
 * garbage per RPC line, docs/performance.md). Here lines wait in an array and are joined
 * once per write. An asynchronous write per batch (pino's default) cost ~9% of a Connect
 * JSON call's CPU here, side by side, so writes stay synchronous.
 */
export function batchedDestination(dest: number | string = 1): LineDestination {
  const fd = typeof dest === "number" ? dest : openSync(dest, "a");
  let pending: string[] = [];
  // UTF-16 units rather than bytes: only decides when to write, and is exact for ASCII lines.
  let pendingLength = 0;
  let timer: NodeJS.Timeout | undefined;

  const failures = writeFailures(typeof dest === "number" ? `descriptor ${dest}` : dest);
  const flushSync = () => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending.length === 0) return;
    const lines = pending.length;
    const chunk = Buffer.from(pending.join(""), "utf8");
    pending = [];
    pendingLength = 0;
    // A log sink that fails (its reader gone: EPIPE; a full disk: ENOSPC) must not fail
    // the RPC whose line filled the batch, nor end the process from the timer: the batch
    // is dropped, and stderr says so (failures below).
    try {
      writeFully(fd, chunk);
      failures.written();
    } catch (error) {
      failures.dropped(lines, error);
    }
  };

  process.once("exit", flushSync);
  return {
    write(line) {
      pending.push(line);
      pendingLength += line.length;
      if (pendingLength >= batchBytes) flushSync();
      // One timer per batch, not per line; unref'd so it never keeps the process alive.
      else timer ??= setTimeout(flushSync, flushAfterMs).unref();
      return true;
    },
    flushSync,
    end() {
      flushSync();
      process.removeListener("exit", flushSync);
      if (typeof dest !== "number") closeSync(fd);
    },
  };
}

/**
 * All of `chunk` into `fd`: a write may take part of it (a pipe near full), and a
 * non-blocking pipe that is full refuses with EAGAIN (Node makes stdout's pipe non-blocking
 * once process.stdout is used): wait briefly and go on, as sonic-boom's sync mode does.
 */
function writeFully(fd: number, chunk: Buffer): void {
  let offset = 0;
  while (offset < chunk.byteLength) {
    try {
      offset += writeSync(fd, chunk, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      Atomics.wait(sleeper, 0, 0, retryAfterMs);
    }
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Tells stderr when lines start being dropped (once per run of failed writes, not once per
 * batch) and how many were lost once writes succeed again. Written with writeSync on
 * descriptor 2, inside a try: stderr may be the same broken pipe.
 */
function writeFailures(target: string) {
  let droppedLines = 0;
  const tell = (message: string) => {
    try {
      writeSync(2, `${message}\n`);
    } catch {
      // Nowhere left to say it.
    }
  };
  return {
    dropped(lines: number, error: unknown) {
      if (droppedLines === 0) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        tell(`log lines dropped: writing to ${target} failed (${code}); the server keeps serving`);
      }
      droppedLines += lines;
    },
    written() {
      if (droppedLines === 0) return;
      tell(`log lines written again to ${target}; ${droppedLines} were dropped`);
      droppedLines = 0;
    },
  };
}
