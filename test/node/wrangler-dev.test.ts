import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { bufCurl } from "./buf-curl.ts";

const run = promisify(execFile);
const state = mkdtempSync(join(tmpdir(), "connect-template-wrangler-"));
const quiet = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
let dev: ChildProcess | undefined;
let baseUrl = "";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

// What `npm run dev:worker` does, with state in a temporary folder: local D1 migrated
// by wrangler, then the Worker under `wrangler dev`, called by buf curl.
beforeAll(async () => {
  await run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { env: quiet });
  const port = await freePort();
  const child = spawn(
    "wrangler",
    ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", "0", "--persist-to", state],
    { env: quiet, stdio: ["ignore", "pipe", "pipe"] },
  );
  dev = child;
  baseUrl = await new Promise<string>((resolve, reject) => {
    let output = "";
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready on")) resolve(`http://127.0.0.1:${port}`);
    };
    child.stdout?.on("data", onOutput);
    child.stderr?.on("data", onOutput);
    child.once("exit", (code) => reject(new Error(`wrangler dev exited with ${code}: ${output}`)));
  });
}, 60_000);

afterAll(async () => {
  if (dev && dev.exitCode === null) {
    const exited = new Promise((resolve) => dev?.once("exit", resolve));
    dev.kill("SIGTERM");
    await exited;
  }
  rmSync(state, { recursive: true, force: true });
});

describe("wrangler dev with local D1", () => {
  for (const protocol of ["connect", "grpcweb"]) {
    it(`should serve buf curl over ${protocol}, streams included`, async () => {
      const email = uniqueEmail(protocol);
      const [created] = await bufCurl(baseUrl, protocol, "CreateUser", { email, displayName: "Edge" });
      expect(created?.user.email).toBe(email);
      const exported = await bufCurl(baseUrl, protocol, "ExportUsers", {});
      expect(exported.at(-1)?.user).toEqual(created?.user);
    });
  }

  it("should let OrderService call UserService through the Worker's loopback binding", async () => {
    const [created] = await bufCurl(baseUrl, "connect", "CreateUser", { email: uniqueEmail("order"), displayName: "O" });
    const items = [{ sku: "BOOK-1", quantity: 2 }];
    const [response] = await bufCurl(baseUrl, "grpcweb", "CreateOrder", { userId: created?.user.id, items }, [], "acme.order.v1.OrderService");
    expect(response?.order).toMatchObject({ userId: created?.user.id, items });
  });
});
