import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, describe, expect, it } from "vitest";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { startServerProcess } from "./server-process.ts";
import { withAuthorization } from "../shared/test-auth.ts";
import { testAuth } from "./test-auth-key.ts";

const dir = mkdtempSync(join(tmpdir(), "connect-template-restart-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Node server process", () => {
  it("should keep a user across a restart of the process", async () => {
    const env = { DATABASE_PATH: join(dir, "data", "app.db") };
    const email = uniqueEmail("durable");

    const first = await startServerProcess(env);
    const client = createClient(
      UserService,
      createConnectTransport({ baseUrl: first.url, httpVersion: "1.1", interceptors: [withAuthorization(testAuth.bearer)] }),
    );
    const { user } = await client.createUser({ email, displayName: "Durable" });
    expect(await first.stop("SIGTERM")).toBe(0);

    const second = await startServerProcess(env);
    const again = createClient(
      UserService,
      createConnectTransport({ baseUrl: second.url, httpVersion: "1.1", interceptors: [withAuthorization(testAuth.bearer)] }),
    );
    const got = await again.getUser({ id: user?.id ?? "" });
    expect(got.user?.email).toBe(email);
    expect(await second.stop("SIGINT")).toBe(0);
  });

  it("should refuse an invalid PORT with a message naming it", async () => {
    const failure = await startServerProcess({ PORT: "eighty", DATABASE_PATH: join(dir, "bad.db") }).catch((error: Error) => error);
    expect(String(failure)).toContain('PORT must be an integer from 0 to 65535, got "eighty"');
  });
});
