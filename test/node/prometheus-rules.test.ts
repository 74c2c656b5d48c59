import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { hasPrometheus, missingPrometheus, prometheusDir } from "./prometheus-tools.ts";

const run = promisify(execFile);

describe("deploy/prometheus", () => {
  it("should hold alert rules promtool accepts", async (context) => {
    context.skip(!hasPrometheus, missingPrometheus);
    const { stdout } = await run("promtool", ["check", "rules", "alerts.yml"], { cwd: prometheusDir });
    expect(stdout).toContain("SUCCESS: 3 rules found");
  });

  it("should pass the rules' unit tests (each alert fires, and stays quiet when it should)", async (context) => {
    context.skip(!hasPrometheus, missingPrometheus);
    const { stdout } = await run("promtool", ["test", "rules", "alerts.test.yml"], { cwd: prometheusDir });
    expect(stdout).toContain("SUCCESS");
  });

  it("should hold a scrape config promtool accepts", async (context) => {
    context.skip(!hasPrometheus, missingPrometheus);
    const { stdout } = await run("promtool", ["check", "config", "prometheus.yml"], { cwd: prometheusDir });
    expect(stdout).toContain("is valid prometheus config file syntax");
  });
});
