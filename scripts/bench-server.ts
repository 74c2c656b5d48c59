import { PerformanceObserver } from "node:perf_hooks";
import { createInterface } from "node:readline";
import type { ConnectNodeOptions, GrpcJsOptions, TemplateOptions } from "./bench/server-options.ts";

// One server process of `npm run bench` (scripts/bench.ts starts it pinned to CPU 0):
// `node scripts/bench-server.ts <kind> '<options JSON>'`. Prints {"ports": {...}} once
// listening, and exits when its stdin closes, so no server outlives the bench.
// Each kind is imported alone: an anchor's memory holds nothing the template loads.
// A line "usage" on stdin gets one back on stdout: {"gcMs": ...}, the time V8 has spent
// in garbage collection so far (scripts/bench/server-usage.ts).

const [kind = "", rawOptions = "{}"] = process.argv.slice(2);
// Each kind's options: scripts/bench/server-options.ts.
const options = JSON.parse(rawOptions) as ConnectNodeOptions & GrpcJsOptions & TemplateOptions;

async function start(): Promise<Record<string, number>> {
  switch (kind) {
    case "raw-h1":
      return (await import("./bench/servers/raw-h1.ts")).startRawH1();
    case "raw-h2":
      return (await import("./bench/servers/raw-h2.ts")).startRawH2();
    case "connect-node":
      return (await import("./bench/servers/connect-node.ts")).startConnectNode(options);
    case "grpc-js":
      return (await import("./bench/servers/grpc-js.ts")).startGrpcJs(options);
    case "template":
      return (await import("./bench/template-server.ts")).startTemplate(options);
    default:
      throw new Error(`unknown bench server "${kind}"`);
  }
}

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ["gc"] });

try {
  const ports = await start();
  process.stdin.on("end", () => process.exit(0));
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line === "usage") process.stdout.write(`${JSON.stringify({ gcMs })}\n`);
  });
  process.stdout.write(`${JSON.stringify({ ports })}\n`);
} catch (error) {
  console.error(`bench server ${kind} failed to start: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
}
