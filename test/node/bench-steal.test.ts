import { describe, expect, it } from "vitest";
import { markdownReport } from "../../scripts/bench/markdown-report.ts";
import { parseCpuTicks, readCpuTicks, stealShare } from "../../scripts/bench/steal.ts";

// The bench reports how much of the machine's CPU time the hypervisor took during the
// run (steal): on a VM with a busy host, every row runs slower by turns.

const stat = (user: number, steal: number) => `cpu  ${user} 0 4967 25287 230 0 526 ${steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 123\n`;

describe("hypervisor steal over a bench run", () => {
  it("should read the machine's ticks from /proc/stat's first line", () => {
    expect(parseCpuTicks(stat(7477, 3881))).toEqual({ total: 7477 + 4967 + 25287 + 230 + 526 + 3881, steal: 3881 });
    expect(parseCpuTicks("intr 1 2 3\n")).toBeUndefined();
    expect(parseCpuTicks("cpu  1 2 3\n")).toBeUndefined();
    expect(parseCpuTicks("cpu  a b c d e f g h\n")).toBeUndefined();
  });

  it("should give the share of the ticks between two readings that were stolen", () => {
    const before = parseCpuTicks(stat(1000, 100));
    const after = parseCpuTicks(stat(1600, 500));
    // 600 user ticks and 400 stolen ones passed: 40%.
    expect(stealShare(before, after)).toBeCloseTo(0.4, 10);
    expect(stealShare(before, before)).toBeUndefined();
    expect(stealShare(undefined, after)).toBeUndefined();
  });

  it("should read this machine's ticks on Linux", () => {
    if (process.platform !== "linux") return;
    const ticks = readCpuTicks();
    expect(ticks?.total).toBeGreaterThan(0);
    expect(ticks?.steal).toBeGreaterThanOrEqual(0);
  });

  it("should say it with the machine in the report's first line, and say nothing when unknown", () => {
    const report = (stealShare?: number) =>
      markdownReport({
        machine: {
          date: "d",
          cpuModel: "c",
          cpus: 2,
          memoryBytes: 1,
          kernel: "k",
          node: "n",
          pinned: true,
          ...(stealShare === undefined ? {} : { stealShare }),
        },
        settings: { runs: 3, seconds: 8, warmUpSeconds: 2 },
        rows: [],
        notRun: [],
        failures: [],
        worker: { ran: false, reason: "none" },
      } as never).split("\n")[0];
    expect(report(0.1234)).toContain("Node n, hypervisor steal 12.3% of CPU time, servers on CPU 0");
    expect(report()).not.toContain("steal");
  });
});
