import { describe, expect, it } from "vitest";
import { pairedStartupRatio } from "../../scripts/bench-worker/startup.ts";

// The Worker bench divides the template's startup by the minimal Worker's round by round
// (each round runs one right after the other), as `npm run bench` does for its rows.

describe("pairedStartupRatio", () => {
  it("is the median of the per-round ratios, not the ratio of the medians", () => {
    // The seven rounds of a run on a busy host: the medians (95.2 / 60.6) say 1.57x.
    const template = [95.2, 104.5, 72.7, 98.3, 99.5, 71, 94];
    const reference = [60, 60.6, 74.9, 53.6, 77.8, 56.3, 67.3];
    expect(pairedStartupRatio(template, reference)).toBeCloseTo(94 / 67.3, 10);
  });

  it("leaves out rounds where either profile showed 0 ms, and averages the middle two of an even count", () => {
    expect(pairedStartupRatio([10, 0, 30, 40], [10, 10, 0, 20])).toBe((1 + 2) / 2);
  });

  it("is undefined when no round has both (the caller divides the medians)", () => {
    expect(pairedStartupRatio([0, 10], [10, 0])).toBeUndefined();
  });
});
