import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, describe, expect, it } from "vitest";
import { UserService } from "../../src/gen/acme/user/v1/user_pb.ts";
import { withAuthorization } from "../shared/test-auth.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { type ServerProcess, startServerProcess } from "./server-process.ts";
import { testAuth } from "./test-auth-key.ts";

const dir = mkdtempSync(join(tmpdir(), "connect-template-together-"));
const started: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((server) => server.stop("SIGTERM")));
  rmSync(dir, { recursive: true, force: true });
});

function userClient(url: string) {
  return createClient(
    UserService,
    createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [withAuthorization(testAuth.bearer)] }),
  );
}

describe("Two server processes on one SQLite file", () => {
  // Each round is a fresh file, so both processes race to create it and to migrate it.
  it.each([1, 2, 3, 4, 5])("should both start together on a fresh file and share its data (round %i)", async (round) => {
    const env = { DATABASE_PATH: join(dir, `round-${round}`, "app.db") };
    const results = await Promise.allSettled([startServerProcess(env), startServerProcess(env)]);
    for (const result of results) {
      if (result.status === "fulfilled") {
        started.push(result.value);
      }
    }
    expect(results.map((result) => (result.status === "rejected" ? String(result.reason) : "listening"))).toEqual([
      "listening",
      "listening",
    ]);
    const [a, b] = started.slice(-2) as [ServerProcess, ServerProcess];

    const email = uniqueEmail("together");
    const { user } = await userClient(a.url).createUser({ email, displayName: "Together" });
    const got = await userClient(b.url).getUser({ id: user?.id ?? "" });
    expect(got.user?.email).toBe(email);
  });
});
