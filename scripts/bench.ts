import { execFileSync, spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// `npm run bench`: GetUser (Connect JSON, unary) under h2load against the one-port
// server and against plain node:http / node:http2 servers, runs interleaved, medians
// compared as ratios. Needs h2load (Debian: nghttp2-client). Server and load generator
// are pinned to different cores when taskset exists. A third server, one-port without
// the interceptor chain, shows what the chain costs.

const runs = Number(process.env.BENCH_RUNS ?? 3);
const requests = Number(process.env.BENCH_REQUESTS ?? 20000);

if (spawnSync("h2load", ["--version"]).error) {
  console.error("h2load not found: install it (Debian/Ubuntu: apt-get install nghttp2-client)");
  process.exit(1);
}
const pin = spawnSync("taskset", ["-c", "0", "true"]).status === 0;
const pinned = (core: number, command: string[]) => (pin ? ["taskset", "-c", String(core), ...command] : command);

const serverCommand = pinned(0, [process.execPath, new URL("./bench-server.ts", import.meta.url).pathname]);
const server = spawn(serverCommand[0]!, serverCommand.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
const ports = await new Promise<{ userId: string; onePort: number; onePortBare: number; plainH1: number; plainH2c: number }>(
  (resolve) => server.stdout.once("data", (line: Buffer) => resolve(JSON.parse(line.toString()))),
);

const body = join(tmpdir(), "bench-get-user.json");
writeFileSync(body, JSON.stringify({ id: ports.userId }));

function h2load(port: number, h1: boolean): number {
  const args = [
    ...(h1 ? ["--h1", "-m", "1"] : ["-m", "10"]),
    "-n", String(requests), "-c", "10", "-d", body, "-H", "content-type: application/json",
    `http://127.0.0.1:${port}/acme.user.v1.UserService/GetUser`,
  ];
  const command = pinned(1, ["h2load", ...args]);
  const output = execFileSync(command[0]!, command.slice(1), { encoding: "utf8" });
  const succeeded = Number(/(\d+) succeeded/.exec(output)?.[1]);
  const ok = Number(/status codes: (\d+) 2xx/.exec(output)?.[1]);
  if (succeeded !== requests || ok !== requests) {
    throw new Error(`not every request succeeded:\n${output}`);
  }
  return Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(output)?.[1]);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  h2load(ports.onePort, false); // warm-up (JIT, SQLite statement cache)
  h2load(ports.plainH2c, false);
  console.log(`GetUser, Connect JSON, ${requests} requests x ${runs} runs, medians${pin ? ", pinned" : ""}`);
  console.log("protocol | plain req/s | one-port req/s | one-port / plain | one-port, no chain req/s | chain / no chain");
  for (const [name, h1, baselinePort] of [
    ["HTTP/2 (h2c)", false, ports.plainH2c],
    ["HTTP/1.1", true, ports.plainH1],
  ] as const) {
    const baseline: number[] = [];
    const onePort: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
      baseline.push(h2load(baselinePort, h1));
      onePort.push(h2load(ports.onePort, h1));
      bare.push(h2load(ports.onePortBare, h1));
    }
    const [b, o, n] = [median(baseline), median(onePort), median(bare)];
    console.log(`${name} | ${b.toFixed(0)} | ${o.toFixed(0)} | ${(o / b).toFixed(2)} | ${n.toFixed(0)} | ${(o / n).toFixed(2)}`);
  }
} finally {
  server.kill();
}
