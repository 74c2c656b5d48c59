import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// scripts/bench-worker/first-request-profile.ts, as docs/performance-worker.md runs it:
// the profile must come from the Worker's isolate while its first request ran.

const script = new URL("../../scripts/bench-worker/first-request-profile.ts", import.meta.url).pathname;

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
}

describe("the Worker's first-request CPU profile", () => {
  it("profiles the template Worker's first GetUser through wrangler dev's inspector", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "first-request-profile-"));
    try {
      const out = join(dir, "first.cpuprofile");
      const { stdout } = await promisify(execFile)(process.execPath, [script, out], { timeout: 110_000 });
      // The bench's first request asks for a user nobody has.
      expect(stdout).toContain("first request answered 404");
      const profile = JSON.parse(readFileSync(out, "utf8")) as Profile;
      expect(profile.samples.length).toBeGreaterThan(10);
      // The Worker's own code ran while profiling: frames from its bundle.
      expect(profile.nodes.some((node) => node.callFrame.url.endsWith("index.js"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
