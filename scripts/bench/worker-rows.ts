import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** The Worker bench (scripts/bench-worker/main.ts), when it exists. */
export type WorkerOutcome = { ran: true; result: unknown } | { ran: false; reason: string };

const entry = new URL("../bench-worker/main.ts", import.meta.url).pathname;

/** Runs `runWorkerBench()` if the module exists; any failure becomes a reason, never a crash. */
export async function runWorkerRows(timeoutMs: number): Promise<WorkerOutcome> {
  if (!existsSync(entry)) return { ran: false, reason: "scripts/bench-worker/main.ts does not exist" };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    // A computed specifier: type-checking must not require the module to exist.
    const module = (await import(pathToFileURL(entry).href)) as { runWorkerBench?: unknown };
    if (typeof module.runWorkerBench !== "function") {
      return { ran: false, reason: "scripts/bench-worker/main.ts exports no runWorkerBench()" };
    }
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms (BENCH_WORKER_TIMEOUT_MS)`)), timeoutMs);
    });
    const result: unknown = await Promise.race([(module.runWorkerBench as () => Promise<unknown>)(), timeout]);
    return { ran: true, result };
  } catch (error) {
    return { ran: false, reason: `runWorkerBench() failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    clearTimeout(timer);
  }
}
