import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, describe, expect, it } from "vitest";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";

const dir = mkdtempSync(join(tmpdir(), "connect-template-restart-"));
const main = new URL("../../src/runtime/node/main.ts", import.meta.url).pathname;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the real entry point (what `npm start` runs) and waits for its address. */
function startProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve({ child, url: match[1] });
    };
    child.stdout.on("data", onOutput);
    child.stderr.on("data", onOutput);
    child.once("exit", (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("Node server process", () => {
  it("should keep a user across a restart of the process", async () => {
    const env = { DATABASE_PATH: join(dir, "data", "app.db") };
    const email = uniqueEmail("durable");

    const first = await startProcess(env);
    const client = createClient(UserService, createConnectTransport({ baseUrl: first.url, httpVersion: "1.1" }));
    const { user } = await client.createUser({ email, displayName: "Durable" });
    const firstExit = exitCode(first.child);
    first.child.kill("SIGTERM");
    expect(await firstExit).toBe(0);

    const second = await startProcess(env);
    const again = createClient(UserService, createConnectTransport({ baseUrl: second.url, httpVersion: "1.1" }));
    const got = await again.getUser({ id: user?.id ?? "" });
    expect(got.user?.email).toBe(email);
    const secondExit = exitCode(second.child);
    second.child.kill("SIGINT");
    expect(await secondExit).toBe(0);
  });

  it("should refuse an invalid PORT with a message naming it", async () => {
    const failure = await startProcess({ PORT: "eighty", DATABASE_PATH: join(dir, "bad.db") }).catch(
      (error: Error) => error,
    );
    expect(String(failure)).toContain('PORT must be an integer from 0 to 65535, got "eighty"');
  });
});
