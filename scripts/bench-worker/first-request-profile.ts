import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { benchAuthVars, benchAuthorization, useBenchAuth } from "../bench/bench-auth.ts";
import { freePort } from "../bench/cold-start.ts";
import { startWranglerDev } from "./wrangler-run.ts";

// A CPU profile of the template Worker's first request (docs/performance-worker.md, "The
// first request"): `node scripts/bench-worker/first-request-profile.ts [out.cpuprofile]`.
// Serves the Worker with `wrangler dev` on a fresh local D1, profiles through wrangler's
// inspector while one GetUser (the bench's first request) runs, and writes the profile
// (open it in Chrome DevTools or VS Code). Local workerd, not Cloudflare's figures.

const templateDir = fileURLToPath(new URL("../../", import.meta.url));
const out = resolve(process.argv[2] ?? "worker-first-request.cpuprofile");

/** A DevTools protocol session over wrangler's inspector proxy (it checks the Origin). */
async function inspect(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error("wrangler dev's inspector lists no Worker");
  // Node's WebSocket (undici) takes headers as a second-argument option.
  const socket = new WebSocket(url, { headers: { origin: `http://localhost:${port}` } } as unknown as string[]);
  await new Promise((opened, failed) => {
    socket.addEventListener("open", opened);
    socket.addEventListener("error", () => failed(new Error(`could not connect to ${url}`)));
  });
  let lastId = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result ?? message.error);
  });
  return {
    send: (method: string, params: object = {}) =>
      new Promise<unknown>((answered) => {
        const id = ++lastId;
        waiting.set(id, answered);
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

await useBenchAuth();
const inspectorPort = await freePort();
const dev = await startWranglerDev({ dir: templateDir, migrate: true, vars: benchAuthVars(), inspectorPort });
try {
  const inspector = await inspect(inspectorPort);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.send("Profiler.start");
  const response = await fetch(`${dev.baseUrl}/acme.user.v1.UserService/GetUser`, {
    method: "POST",
    headers: { "content-type": "application/json", ...benchAuthorization() },
    body: JSON.stringify({ id: "3f0c9e4e-0000-4000-8000-000000000000" }),
  });
  await response.arrayBuffer();
  const { profile } = (await inspector.send("Profiler.stop")) as { profile: unknown };
  inspector.close();
  writeFileSync(out, JSON.stringify(profile));
  console.log(`first request answered ${response.status}; profile written to ${out}`);
} finally {
  await dev.stop();
}
