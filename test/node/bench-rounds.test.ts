import { describe, expect, it } from "vitest";
import { markdownReport } from "../../scripts/bench/markdown-report.ts";
import type { BenchReport, RowResult } from "../../scripts/bench/results.ts";
import { serverArgv, startServerProcess } from "../../scripts/bench/server-process.ts";
import { pairMode, runChainPairs, uneven } from "../../scripts/bench/run-chain-pairs.ts";
import { cpuMsOf, sliceUsage } from "../../scripts/bench/server-usage.ts";
import { readBenchSettings } from "../../scripts/bench/settings.ts";
import { applyRatiosAndTargets, roundRatios } from "../../scripts/bench/targets.ts";
import { chainCostPairs, orderOfRound, roundOrder, unaryRows } from "../../scripts/bench/unary-rows.ts";
import { nodeFlags } from "../../src/runtime/node/node-flags.mjs";

// The bench divides rows that ran in the same rounds run by run: on a shared machine a
// round can run at half speed, and the ratio of two medians may pair different rounds.

function row(id: string, runs: number[], extra: Partial<RowResult> = {}): RowResult {
  const sorted = [...runs].sort((a, b) => a - b);
  return {
    id,
    label: id,
    group: "unary",
    load: "",
    unit: "req/s",
    status: "ok",
    value: sorted[Math.floor(sorted.length / 2)],
    runs,
    rounds: "unary",
    ...extra,
  };
}

/** A report of `rows` with placeholder machine facts and the default settings. */
function reportOf(rows: RowResult[]): BenchReport {
  return {
    machine: { date: "d", cpuModel: "c", cpus: 2, memoryBytes: 1, kernel: "k", node: "n", pinned: true },
    settings: { runs: 3, seconds: 8, warmUpSeconds: 2, warmUpRounds: 1 },
    rows,
    notRun: [],
    failures: [],
    worker: { ran: false, reason: "test" },
  } as BenchReport;
}

describe("ratios per round", () => {
  it("divides run by run and takes the median, not the ratio of the medians", () => {
    // Round 2 ran at half speed for both: the medians (100 vs 200) pair round 1's
    // template with round 3's anchor.
    const rows = [row("raw-http1-json", [200, 100, 240]), row("template-json-h1", [100, 55, 130], { anchor: "raw-http1-json" })];
    applyRatiosAndTargets(rows);
    const template = rows[1]!;
    expect(template.roundRatios).toEqual([0.5, 0.55, 130 / 240]);
    expect(template.ratio).toBeCloseTo(130 / 240, 10);
    expect(template.target).toEqual({ text: ">= 0.5x raw-http1-json", actual: "0.54x", met: true });
  });

  it("falls back to the ratio of the values for rows of other rounds or with missing runs", () => {
    const anchor = row("raw-http2-proto", [100, 200, 300]);
    expect(roundRatios(row("a", [50, 100, 150]), anchor)).toEqual([0.5, 0.5, 0.5]);
    expect(roundRatios(row("a", [50, 100, 150], { rounds: undefined }), anchor)).toBeUndefined();
    expect(roundRatios(row("a", [50, 100, 150], { rounds: "stream" }), anchor)).toBeUndefined();
    expect(roundRatios(row("a", [50, 100]), anchor)).toBeUndefined();
    expect(roundRatios(row("a", [50, 100, 150], { status: "failed" }), anchor)).toBeUndefined();
    expect(roundRatios(row("a", [50, 100, 150]), row("raw-http2-proto", [100, 0, 300]))).toBeUndefined();

    // A PostgreSQL row runs in its own rounds: value / value.
    const rows = [
      row("template-proto-h2c", [100, 400, 300]),
      row("postgres-get-user-h2c", [150, 150, 150], { anchor: "template-proto-h2c", rounds: undefined }),
    ];
    applyRatiosAndTargets(rows);
    expect(rows[1]!.ratio).toBe(0.5);
    expect(rows[1]!.roundRatios).toBeUndefined();
  });

  it("measures the chain's cost per round too, and prints each round's", () => {
    const rows = [
      row("template-grpc-h2c", [90, 40, 80], { anchor: "grpc-js-grpc-h2c" }),
      row("template-empty-grpc-h2c", [100, 50, 100], { anchor: "grpc-js-grpc-h2c" }),
      row("grpc-js-grpc-h2c", [100, 50, 100]),
    ];
    applyRatiosAndTargets(rows);
    // Per round 10%, 20%, 20%: the median is 20%. The medians alone (80 vs 100) say the same
    // here; what matters is that each round's pair is compared.
    expect(rows[1]!.target).toEqual({
      text: "chain cost <= 10% (template-grpc-h2c vs this)",
      actual: "20.0% (10.0%, 20.0%, 20.0%)",
      met: false,
    });
    const table = markdownReport(reportOf(rows));
    expect(table).toContain("| 0.80x (0.90x, 0.80x, 0.80x) |");
    expect(table).toContain("median of the rounds' ratios");
  });
});

describe("the chain's cost from pairs of slices", () => {
  const rows = (pairRatios: number[] | undefined, fullStatus: RowResult["status"] = "ok") => [
    row("template-json-h1", [90, 40, 80], { anchor: "raw-http1-json", status: fullStatus }),
    row("template-empty-json-h1", [100, 50, 100], { anchor: "raw-http1-json", ...(pairRatios ? { pairRatios } : {}) }),
    row("raw-http1-json", [100, 50, 100]),
  ];

  it("takes the median of the pairs over the rounds, with their middle half", () => {
    // Rounds say 20% (10%, 20%, 20%); pairs say 5, 6, 7, 30 and 40%: the median pair is 7%.
    const measured = rows([0.95, 0.7, 0.93, 0.6, 0.94]);
    applyRatiosAndTargets(measured);
    expect(measured[1]!.target).toEqual({
      text: "chain cost <= 10% (template-json-h1 vs this)",
      actual: "7.0% (5 pairs, middle half 6.0% to 30.0%)",
      met: true,
    });
  });

  it("takes the mean of the two middle pairs of an even count, not the cheaper one", () => {
    const measured = rows([0.95, 0.85, 0.93, 0.7]);
    applyRatiosAndTargets(measured);
    // Costs 5, 7, 15, 30%: (7 + 15) / 2 = 11%, over the target; the upper middle ratio alone would say 7%.
    expect(measured[1]!.target?.actual).toBe("11.0% (4 pairs, middle half 5.0% to 15.0%)");
    expect(measured[1]!.target?.met).toBe(false);
  });

  it("falls back to the rounds without pairs, or when the full-chain row failed", () => {
    for (const measured of [rows(undefined), rows([])]) {
      applyRatiosAndTargets(measured);
      expect(measured[1]!.target?.actual).toBe("20.0% (10.0%, 20.0%, 20.0%)");
    }
    const failed = rows([0.99], "failed");
    applyRatiosAndTargets(failed);
    expect(failed[1]!.target).toEqual({ text: "chain cost <= 10% (template-json-h1 vs this)" });
  });

  it("passes nothing on a reading below zero: a full chain faster than none", () => {
    const measured = rows([1.02, 1.1, 1.15]);
    applyRatiosAndTargets(measured);
    expect(measured[1]!.target).toEqual({
      text: "chain cost <= 10% (template-json-h1 vs this)",
      actual: "-10.0% (3 pairs, middle half -15.0% to -2.0%): below zero, a full chain faster than none, not a measurement",
    });
    expect(markdownReport(reportOf(measured))).toContain("| unknown |");
    // The rounds' reading is judged the same way.
    const rounds = [
      row("template-grpc-h2c", [110, 55, 105], { anchor: "grpc-js-grpc-h2c" }),
      row("template-empty-grpc-h2c", [100, 50, 100], { anchor: "grpc-js-grpc-h2c" }),
      row("grpc-js-grpc-h2c", [100, 50, 100]),
    ];
    applyRatiosAndTargets(rounds);
    expect(rounds[1]!.target?.met).toBeUndefined();
    expect(rounds[1]!.target?.actual).toContain("below zero");
  });

  it("alternates which server goes first and divides full by empty", async () => {
    const calls: string[] = [];
    const speeds = { full: [80, 90, 70], empty: [100, 100, 100] };
    const load = (name: "full" | "empty") => async () => {
      calls.push(name);
      return speeds[name].shift()!;
    };
    const logged: string[] = [];
    const { ratios } = await runChainPairs(3, { load: load("full") }, { load: load("empty") }, (line) => logged.push(line), "back-to-back");
    expect(ratios).toEqual([0.8, 0.9, 0.7]);
    expect(calls).toEqual(["full", "empty", "empty", "full", "full", "empty"]);
    expect(logged[1]).toContain("pair 2/3: full 90, empty 100 req/s, chain cost 10.0%");
  });

  it("loads both servers at once when together, and divides full by empty", async () => {
    const events: string[] = [];
    const speeds = { full: [80, 90], empty: [100, 100] };
    // Each slice ends only once both have started: run one after the other, this would hang.
    let started = 0;
    let bothStarted: () => void = () => {};
    const both = new Promise<void>((resolve) => (bothStarted = resolve));
    const load = (name: "full" | "empty") => async () => {
      events.push(`start ${name}`);
      if (++started % 2 === 0) {
        bothStarted();
      }
      await both;
      events.push(`end ${name}`);
      return speeds[name].shift()!;
    };
    const logged: string[] = [];
    const { ratios } = await runChainPairs(1, { load: load("full") }, { load: load("empty") }, (line) => logged.push(line), "together");
    expect(ratios).toEqual([0.8]);
    expect(events.slice(0, 2)).toEqual(["start full", "start empty"]);
    expect(logged[0]).toContain("pair 1/1: full 80, empty 100 req/s, chain cost 20.0%");
  });

  it("reads each server's usage around its slice and flags a together pair not shared evenly", async () => {
    // Fake usage counters, per ~100 ms slice: full uses 50 ms of CPU (2 of it GC), empty 30 (3 of GC).
    const counters = { full: { cpuMs: 0, gcMs: 0 }, empty: { cpuMs: 0, gcMs: 0 } };
    const side = (name: "full" | "empty", cpuMs: number, gcMs: number) => ({
      load: async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        counters[name].cpuMs += cpuMs;
        counters[name].gcMs += gcMs;
        return name === "full" ? 80 : 100;
      },
      usage: async () => ({ ...counters[name] }),
    });
    const logged: string[] = [];
    const { usage } = await runChainPairs(2, side("full", 50, 2), side("empty", 30, 3), (line) => logged.push(line), "together");
    expect(usage).toHaveLength(2);
    for (const pair of usage) {
      // ~100 ms of wall time per slice: a timer may fire a little early (a ms), or late.
      expect(pair.full.cpuShare).toBeGreaterThan(0.2);
      expect(pair.full.cpuShare).toBeLessThanOrEqual(0.52);
      expect(pair.empty.cpuShare).toBeLessThan(0.32);
      expect(pair.full.gcShare).toBeCloseTo(0.04, 10);
      expect(pair.empty.gcShare).toBeCloseTo(0.1, 10);
      expect(uneven(pair)).toBe(true);
    }
    expect(logged[0]).toMatch(/chain cost 20\.0%; CPU \d+\.\d% \/ \d+\.\d%, GC 4\.0% \/ 10\.0% of it UNEVEN$/);
    expect(uneven({ full: { cpuShare: 0.49 }, empty: { cpuShare: 0.51 } })).toBe(false);
    expect(uneven({ full: { cpuShare: 0.44 }, empty: { cpuShare: 0.51 } })).toBe(true);
    expect(uneven({ full: {}, empty: {} })).toBe(false);
  });

  it("asks a real bench server for its GC time and reads its CPU time", async () => {
    const server = await startServerProcess({ pinned: false, missing: [] }, "raw-h1");
    try {
      const first = await server.usage();
      // Some garbage to collect, then some CPU: both counters move forward.
      for (let i = 0; i < 300; i++) await fetch(`http://127.0.0.1:${server.ports.h1}/`, { method: "POST", body: "x".repeat(100_000) });
      const second = await server.usage();
      expect(first.gcMs).toBeGreaterThanOrEqual(0);
      expect(second.gcMs).toBeGreaterThan(first.gcMs!);
      expect(second.cpuMs).toBeGreaterThan(first.cpuMs!);
    } finally {
      await server.stop();
    }
  }, 30_000);

  it("answers a usage question to a server that has died with no GC time, without failing", async () => {
    const server = await startServerProcess({ pinned: false, missing: [] }, "raw-h1");
    process.kill(server.pid, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const asked = performance.now();
    const usage = await Promise.all([server.usage(), server.usage()]);
    expect(usage.every((reading) => reading.gcMs === undefined && reading.cpuMs === undefined)).toBe(true);
    // At once: a server known to be gone is not asked (and waited for) at all.
    expect(performance.now() - asked).toBeLessThan(1000);
    await server.stop();
  }, 30_000);

  it("computes a slice's shares from the readings around it, and none it could not read", () => {
    expect(sliceUsage({ cpuMs: 100, gcMs: 10 }, { cpuMs: 1100, gcMs: 60 }, 2000)).toEqual({ cpuShare: 0.5, gcShare: 0.05 });
    expect(sliceUsage({ cpuMs: 100 }, { cpuMs: 1100 }, 2000)).toEqual({ cpuShare: 0.5 });
    expect(sliceUsage({}, {}, 2000)).toEqual({});
  });

  it("reads a process's CPU time from /proc", () => {
    const spent = cpuMsOf(process.pid);
    expect(spent).toBeGreaterThan(0);
    const until = performance.now() + 100;
    while (performance.now() < until) {
      // Busy for 100 ms: at least some of it shows in utime + stime (ticks of 10 ms).
    }
    expect(cpuMsOf(process.pid)! - spent!).toBeGreaterThanOrEqual(50);
    expect(cpuMsOf(2 ** 22 + 12345)).toBeUndefined();
  });

  it("summarises the pairs' usage under the table", () => {
    const empty = row("template-empty-json-h1", [100, 100, 100], {
      pairRatios: [0.8, 0.82],
      pairUsage: [
        { full: { cpuShare: 0.49, gcShare: 0.04 }, empty: { cpuShare: 0.5, gcShare: 0.03 } },
        { full: { cpuShare: 0.4, gcShare: 0.05 }, empty: { cpuShare: 0.5, gcShare: 0.03 } },
      ],
    });
    const text = markdownReport(reportOf([row("template-json-h1", [80, 82, 81]), empty]));
    expect(text).toContain(
      "- template-empty-json-h1: CPU 40.0-49.0% / 50.0%, GC 4.0-5.0% / 3.0%; 1 of 2 pairs uneven (a share outside 45-55%)",
    );
  });

  it("pairs together only when servers and load are pinned apart", () => {
    expect(pairMode({ pinned: true })).toBe("together");
    expect(pairMode({ pinned: false })).toBe("back-to-back");
  });

  it("reads the number of pairs and their length from the environment", () => {
    expect(readBenchSettings({})).toMatchObject({ chainPairs: 11, chainSeconds: 2 });
    expect(readBenchSettings({ BENCH_SMOKE: "1" })).toMatchObject({ chainPairs: 1, chainSeconds: 0.3 });
    expect(readBenchSettings({ BENCH_CHAIN_PAIRS: "0", BENCH_CHAIN_SECONDS: "1.5" })).toMatchObject({ chainPairs: 0, chainSeconds: 1.5 });
    expect(() => readBenchSettings({ BENCH_CHAIN_PAIRS: "2.5" })).toThrow(/BENCH_CHAIN_PAIRS must be a whole number/);
  });
});

describe("the order of a round", () => {
  it("runs every unary row once", () => {
    expect([...roundOrder].sort()).toEqual(unaryRows.map((spec) => spec.id).sort());
  });

  it("puts each template row beside its anchor and its empty-chain twin, both ways round", () => {
    const neighbours = (order: readonly string[], a: string, b: string) => Math.abs(order.indexOf(a) - order.indexOf(b)) === 1;
    // The full-chain template rows beside their anchors, and beside their empty-chain twins
    // (whose own anchors are informational and need not be adjacent).
    const pairs = [
      ...unaryRows.filter((spec) => spec.server === "template").map((spec) => [spec.id, spec.anchor!] as const),
      ...chainCostPairs,
    ];
    expect(pairs).toHaveLength(6);
    for (const run of [1, 2, 3]) {
      for (const [a, b] of pairs) {
        expect(neighbours(orderOfRound(run), a, b), `round ${run}: ${a} beside ${b}`).toBe(true);
      }
    }
    expect(orderOfRound(2)).toEqual([...orderOfRound(1)].reverse());
    expect(orderOfRound(3)).toEqual(orderOfRound(1));
  });

  it("gives the empty-chain server the full one's history: every protocol, each beside its full twin", () => {
    const full = unaryRows.filter((spec) => spec.server === "template");
    const empty = unaryRows.filter((spec) => spec.server === "template-empty");
    expect(empty.map((spec) => `${spec.protocol} ${spec.h1}`).sort()).toEqual(full.map((spec) => `${spec.protocol} ${spec.h1}`).sort());
    for (const twin of empty) {
      const fullTwin = full.find((spec) => spec.protocol === twin.protocol)!;
      const at = (id: string) => roundOrder.indexOf(id);
      expect(Math.abs(at(twin.id) - at(fullTwin.id)), `${twin.id} beside ${fullTwin.id}`).toBe(1);
    }
  });
});

describe("the servers' command lines", () => {
  const tools = { pinned: true, missing: [] };
  it("runs the template with npm start's Node flags, pinned to CPU 0", () => {
    const argv = serverArgv(tools, "template", { chain: "full" });
    expect(argv.slice(0, 3)).toEqual(["taskset", "-c", "0"]);
    expect(argv.slice(4, 4 + nodeFlags.length)).toEqual(nodeFlags);
    expect(argv.at(-2)).toBe("template");
  });

  it("runs the anchors without them", () => {
    for (const kind of ["raw-h1", "raw-h2", "grpc-js", "connect-node"]) {
      const argv = serverArgv(tools, kind);
      expect(argv[4], kind).toMatch(/bench-server\.ts$/);
      expect(
        argv.some((arg) => nodeFlags.includes(arg)),
        kind,
      ).toBe(false);
    }
  });
});
