import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { prometheusDir } from "./prometheus-tools.ts";

export interface PrometheusProcess {
  url: string;
  /** Runs an instant PromQL query; resolves to its vector (empty when nothing matches). */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** The rule groups as GET /api/v1/rules reports them. */
  rules(): Promise<{ name: string; rules: { name: string; health: string; lastError?: string }[] }[]>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

/**
 * Debian's Prometheus with the shipped deploy/prometheus/prometheus.yml, changed only
 * where a test must: the target, 1 s scrape and rule intervals, and storage in `dir`.
 */
export async function startPrometheus(dir: string, target: string): Promise<PrometheusProcess> {
  const config = parse(readFileSync(join(prometheusDir, "prometheus.yml"), "utf8"));
  config.global = { ...config.global, scrape_interval: "1s", evaluation_interval: "1s" };
  config.rule_files = (config.rule_files as string[]).map((file) => join(prometheusDir, file));
  config.scrape_configs[0].static_configs = [{ targets: [target] }];
  const configFile = join(dir, "prometheus.yml");
  writeFileSync(configFile, stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    "prometheus",
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = once(child, "exit");
  for (let attempt = 0; ; attempt++) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || attempt > 200) {
      child.kill();
      throw new Error(`prometheus did not become ready: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  async function api<T>(path: string): Promise<T> {
    const body = (await (await fetch(`${url}${path}`)).json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`prometheus ${path}: ${body.error}`);
    return body.data;
  }
  return {
    url,
    query: async (promql) => (await api<{ result: never[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`)).result,
    rules: async () => (await api<{ groups: never[] }>("/api/v1/rules")).groups,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
