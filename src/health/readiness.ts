// src/health/: whether this instance should get traffic. Readiness checks and shutdown
// state (this file), and grpc.health.v1 served from them. docs/health-and-shutdown.md.

/** One thing an instance needs to take traffic (the database answers, a valid config is loaded). */
export interface ReadinessCheck {
  name: string;
  /** Resolves when healthy; throws (or rejects) when not. */
  check(signal: AbortSignal): Promise<void> | void;
}

export interface ReadinessStatus {
  ready: boolean;
  /** Names of the checks that failed, or "shutting down". */
  failing: string[];
}

/**
 * Whether this instance should get traffic: shared by the health service, GET /readyz
 * and shutdown. Results are cached for `cacheMs` so probes and Watch streams together
 * cost one database round trip per interval, and each check is bounded by `timeoutMs` so
 * a hung dependency makes the instance not ready instead of hanging its probes.
 */
export interface Readiness {
  status(): Promise<ReadinessStatus>;
  /** Shutdown began: not ready from now on, and waiters are woken at once. */
  drain(): void;
  /** Draining is over: Watch streams end so the server can finish. */
  stop(): void;
  readonly draining: boolean;
  readonly stopped: boolean;
  /** Aborts at stop(): for other long-lived streams that must end then (reflection). */
  readonly stopSignal: AbortSignal;
  /** Resolves after `ms`, or as soon as drain(), stop() or `signal` happens. */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
}

const draining: ReadinessStatus = Object.freeze({ ready: false, failing: Object.freeze(["shutting down"]) as string[] });

export function createReadiness(checks: readonly ReadinessCheck[], options: { cacheMs?: number; timeoutMs?: number } = {}): Readiness {
  const cacheMs = options.cacheMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 2000;
  let cached: { at: number; status: Promise<ReadinessStatus> } | undefined;
  let state: "serving" | "draining" | "stopped" = "serving";
  const stopping = new AbortController();
  const wakers = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of [...wakers]) wake();
  };

  async function evaluate(): Promise<ReadinessStatus> {
    const results = await Promise.all(checks.map((c) => passes(c, timeoutMs)));
    const failing = checks.filter((_, i) => !results[i]).map((c) => c.name);
    return { ready: failing.length === 0, failing };
  }

  return {
    status() {
      if (state !== "serving") return Promise.resolve(draining);
      const now = Date.now();
      if (!cached || now - cached.at >= cacheMs) cached = { at: now, status: evaluate() };
      return cached.status.then((status) => (state === "serving" ? status : draining));
    },
    drain() {
      if (state === "serving") state = "draining";
      wakeAll();
    },
    stop() {
      state = "stopped";
      stopping.abort();
      wakeAll();
    },
    get draining() {
      return state !== "serving";
    },
    get stopped() {
      return state === "stopped";
    },
    stopSignal: stopping.signal,
    wait(ms, signal) {
      if (state === "stopped") return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wakers.delete(done);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        wakers.add(done);
        signal?.addEventListener("abort", done);
        if (signal?.aborted) done();
      });
    },
  };
}

async function passes(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  const signal = AbortSignal.timeout(timeoutMs);
  const timedOut = new Promise<false>((resolve) => signal.addEventListener("abort", () => resolve(false)));
  try {
    return await Promise.race([Promise.resolve(check.check(signal)).then(() => true), timedOut]);
  } catch {
    return false;
  }
}
