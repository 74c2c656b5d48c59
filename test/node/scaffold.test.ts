import { execFile, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The scaffolders for real: the working tree copied (node_modules linked, not installed),
// `npm run new:service` and `npm run new:rpc` run there, then generate, typecheck and the
// new service's contract over every transport on Node and in workerd, as a user would.

const exec = promisify(execFile);
const repo = new URL("../..", import.meta.url).pathname;
const copy = mkdtempSync(join(tmpdir(), "scaffold-test-"));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

// The child vitest and npm must not think they run inside this test.
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VITEST|TEST$|NODE_ENV$)/.test(name)));

/** A command in the copy; resolves to its exit code and output (never rejects). */
async function run(command: string, args: string[]) {
  try {
    const { stdout, stderr } = await exec(command, args, { cwd: copy, env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const npm = (...args: string[]) => run("npm", ["run", "-s", ...args]);
const read = (path: string) => readFileSync(join(copy, path), "utf8");

/** vitest in the copy on `file` of `project`: passed and failed test names. */
async function vitest(project: string, file: string) {
  const report = join(copy, `vitest-${project}.json`);
  const result = await run("npx", ["vitest", "run", "--project", project, file, "--reporter=json", `--outputFile=${report}`]);
  const json = JSON.parse(readFileSync(report, "utf8")) as {
    testResults: { assertionResults: { fullName: string; status: string }[] }[];
  };
  const tests = json.testResults.flatMap((file) => file.assertionResults);
  return {
    code: result.code,
    passed: tests.filter((t) => t.status === "passed").map((t) => t.fullName),
    failed: tests.filter((t) => t.status !== "passed").map((t) => t.fullName),
  };
}

beforeAll(() => {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repo, encoding: "utf8" })
    .split("\0")
    .filter((path) => path !== "" && existsSync(join(repo, path)));
  for (const path of files) {
    mkdirSync(dirname(join(copy, path)), { recursive: true });
    cpSync(join(repo, path), join(copy, path));
  }
  symlinkSync(join(repo, "node_modules"), join(copy, "node_modules"));
  // wrangler.toml serves web/dist as static assets; the page is not built here.
  mkdirSync(join(copy, "web/dist"), { recursive: true });
});

describe("npm run new:service", () => {
  it("should refuse names that do not fit, writing nothing", async () => {
    for (const [name, says] of [
      ["acme.Probe.v1.ProbeService", "is not a package"],
      ["other.probe.v1.ProbeService", "is not a package"],
      ["acme.probe.1.ProbeService", "is not a package"],
      ["acme.probe.v1.probeService", "is not a service name"],
      ["acme.probe.v1.Probe", "is not a service name"],
      ["acme.probe.v1.Service", "is not a service name"],
    ] as const) {
      const result = await npm("new:service", "--", name);
      expect(result.code, name).toBe(1);
      expect(result.stderr, name).toContain(says);
    }
    expect(existsSync(join(copy, "proto/acme/probe"))).toBe(false);
  });

  it("should refuse to overwrite an existing service", async () => {
    const before = read("src/service-table.ts");
    const result = await npm("new:service", "--", "acme.user.v1.UserService");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("refusing to overwrite: proto/acme/user/v1/user.proto");
    expect(read("src/service-table.ts")).toBe(before);
  });

  it("should write a service that generates, typechecks and passes its contract on both runtimes", async () => {
    const created = await npm("new:service", "--", "acme.probe.v1.ProbeService");
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(read("src/service-table.ts")).toContain("wire(ProbeService, ({ db }) => createProbeService(sqlProbeItemStore(db))),");
    expect(read(`migrations/${readdirSync(join(copy, "migrations")).find((name) => name.endsWith("_create_probe_items.sql"))}`)).toContain(
      "CREATE TABLE probe_items",
    );
    // PostgreSQL's twin, under the same name (test/node/postgres.test.ts checks the two folders match).
    expect(readdirSync(join(copy, "migrations-postgres"))).toEqual(readdirSync(join(copy, "migrations")));
    const again = await npm("new:service", "--", "acme.probe.v1.ProbeService");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("refusing to overwrite");

    const added = await npm("new:rpc", "--", "acme.probe.v1.ProbeService", "GetThing");
    expect(added.code).toBe(0);
    expect(read("proto/acme/probe/v1/probe.proto")).toMatch(/rpc GetThing\(GetThingRequest\)[^}]*probe:read/);
    expect((await npm("new:rpc", "--", "acme.probe.v1.ProbeService", "GetThing")).code).toBe(1);

    const generated = await npm("generate");
    expect(generated.stderr).not.toMatch(/error/i);
    expect(generated.code).toBe(0);
    // What it wrote and edited passes the formatter and linter (npm run lint).
    const lint = await run("npx", ["biome", "check", "--vcs-enabled=false", "src", "test", "scripts"]);
    expect(lint.stdout + lint.stderr, "biome check").not.toMatch(/Found \d+ error/);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    // The API document lists the new methods, with the reason the Get method declares.
    const openapi = read("src/gen/openapi.json");
    expect(openapi).toContain("/acme.probe.v1.ProbeService/GetProbeItem");
    expect(openapi).toContain("PROBE_ITEM_NOT_FOUND");
    // Its read is an MCP tool (NO_SIDE_EFFECTS), its create is not (no opt-in): docs/mcp.md.
    // Node serves src/gen/mcp-tools.ts; the Worker's MCP module is rebuilt from it.
    const tools = read("src/gen/mcp-tools.ts");
    expect(tools).toContain('"procedure": "/acme.probe.v1.ProbeService/GetProbeItem"');
    expect(tools).toContain('"name": "ProbeService_GetProbeItem"');
    expect(tools).not.toContain("ProbeService_CreateProbeItem");
    expect(read("src/gen/mcp-worker.js")).toContain("ProbeService_GetProbeItem");
    // The server and tests, the Worker, the page, and the client package (api.probe).
    expect(read("src/client/create-api-client.ts")).toContain("  probe: ProbeService,");
    for (const project of ["tsconfig.json", "tsconfig.worker.json", "tsconfig.web.json", "tsconfig.client.json"]) {
      const typecheck = await run("npx", ["tsc", "-p", project, "--noEmit"]);
      expect(typecheck.stdout, project).toBe("");
      expect(typecheck.code, project).toBe(0);
    }

    // The contract runs over all seven Node transports and four Worker ones, beside the others.
    const node = await vitest("node", "test/node/rpc-protocols.test.ts");
    expect(node.failed).toEqual([]);
    expect(node.passed.filter((name) => name.startsWith("ProbeService over"))).toHaveLength(7 * 3);
    const worker = await vitest("worker", "test/worker/rpc-protocols.test.ts");
    expect(worker.failed).toEqual([]);
    expect(worker.passed.filter((name) => name.startsWith("ProbeService in workerd"))).toHaveLength(4 * 3);

    // The new method's stub answers (an empty response), and the test tokens hold its scope.
    writeFileSync(
      join(copy, "call-stub.ts"),
      `import { createClient } from "@connectrpc/connect";
import { ProbeService } from "./src/gen/acme/probe/v1/probe_pb.ts";
import { createInMemoryApp } from "./test/node/in-memory-app.ts";
const app = await createInMemoryApp();
const answer = await createClient(ProbeService, app.transport).getThing({}).catch((e: Error) => e);
console.log("$typeName" in answer ? answer.$typeName : String(answer));
`,
    );
    const stub = await run("node", ["call-stub.ts"]);
    expect(stub.stdout.trim()).toBe("acme.probe.v1.GetThingResponse");
  }, 170_000);
});
