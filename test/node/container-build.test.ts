import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetUserRequestSchema, GetUserResponseSchema } from "../../src/gen/acme/user/v1/user_pb.ts";
import { startOtlpReceiver } from "../otlp-receiver.ts";
import { uniqueEmail } from "../shared/user-service-contract.ts";
import { argsOf, envOf, execForm, parseDockerfile, type Stage } from "./dockerfile.ts";
import { grpcJsAuthorization } from "./grpc-js-auth.ts";
import { testAuth } from "./test-auth-key.ts";

// No Docker engine here: this runs the Dockerfile's own build steps into a clean folder,
// then starts that folder the way the image's CMD does, with the Dockerfile's ENV and the
// pinned Node, away from the project's node_modules, and calls it over every protocol.

const run = promisify(execFile);
const root = new URL("../../", import.meta.url).pathname;
const pinnedNode = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { devDependencies: Record<string, string> })
  .devDependencies.node;
const stages = parseDockerfile(join(root, "Dockerfile"));
const buildStage = stages.find((stage) => stage.name === "build") as Stage;
const runtimeStage = stages.at(-1) as Stage;

const temp = mkdtempSync(join(tmpdir(), "container-build-"));
const out = join(temp, "out");
const databasePath = join(temp, "data/app.db");
const compileCache = join(temp, "compile-cache");

/**
 * The build stage's RUN steps after the project's own `npm install` (this checkout is
 * installed already), each in its WORKDIR, with the image's paths mapped to this machine:
 * /src is the project, /out the temp folder.
 */
function buildSteps(stage: Stage): { cwd: string; command: string }[] {
  const paths: Record<string, string> = { "/src": root, "/out": out };
  const steps: { cwd: string; command: string }[] = [];
  let cwd = "/";
  let installed = false;
  for (const { keyword, args } of stage.instructions) {
    if (keyword === "WORKDIR") cwd = args;
    if (keyword !== "RUN") continue;
    if (!installed && /^npm install\b(?!.*--omit=dev)/.test(args)) {
      installed = true;
      continue;
    }
    const local = paths[cwd];
    if (!local) throw new Error(`RUN in an unmapped WORKDIR ${cwd}`);
    steps.push({ cwd: local, command: args.replace(/(?<=^|\s)\/out(?=\s|$)/g, out) });
  }
  return steps;
}

interface AppProcess {
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

/**
 * The image's USER. When these tests run as root (CI), the server runs as that user, as in
 * the image: the folder stays root's and read-only to it, only the data and cache folders
 * are its own. Otherwise it runs as the (non-root) user running the tests.
 */
const [imageUid = Number.NaN, imageGid = Number.NaN] = (argsOf(runtimeStage, "USER").at(-1) ?? "").split(":").map(Number);
const asImageUser = process.getuid?.() === 0 ? ["setpriv", `--reuid=${imageUid}`, `--regid=${imageGid}`, "--clear-groups"] : [];

/** The image's CMD, with its ENV, from the folder (the runtime stage's WORKDIR). */
function startApp(env: Record<string, string> = {}): Promise<AppProcess> {
  const [command, ...args] = execForm(argsOf(runtimeStage, "CMD").at(-1) ?? "") ?? [];
  if (command !== "node") throw new Error(`CMD should run node, runs ${command}`);
  const [file = process.execPath, ...prefix] = [...asImageUser, process.execPath];
  const child: ChildProcess = spawn(file, [...prefix, ...args], {
    cwd: out,
    // Only what the image sets (plus PATH): nothing of this machine's environment leaks in.
    env: {
      PATH: process.env.PATH,
      ...envOf(runtimeStage),
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_PATH: databasePath,
      NODE_COMPILE_CACHE: compileCache,
      // A deployment names its identity provider; here the test key stands in for it.
      ...testAuth.vars,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        resolve({
          url: match[1],
          output: () => output,
          stop: () => {
            child.kill("SIGTERM");
            return exited;
          },
        });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    exited.then((code) => reject(new Error(`exited with ${code} before listening: ${output}`)));
  });
}

let app: AppProcess;
let userId: string;
let builtFiles: string[];

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

beforeAll(async () => {
  for (const { cwd, command } of buildSteps(buildStage)) {
    await run("sh", ["-c", command], { cwd, maxBuffer: 16 * 1024 * 1024 });
  }
  // The writable places the image gives the server: /data (its volume) and /tmp.
  for (const dir of [dirname(databasePath), compileCache]) {
    mkdirSync(dir, { recursive: true });
    if (asImageUser.length > 0) chownSync(dir, imageUid, imageGid);
  }
  if (asImageUser.length > 0) chmodSync(temp, 0o755); // mkdtemp's 0700 would lock the user out
  builtFiles = listFiles(out);
  app = await startApp();
}, 120_000);
afterAll(async () => {
  await app?.stop();
  rmSync(temp, { recursive: true, force: true });
});

describe("npm run build:node (the Dockerfile's build steps)", () => {
  it("should run on the pinned Node", () => {
    expect(process.version).toBe(`v${pinnedNode}`);
  });

  it("should hold the bundle, migrations, the page and a package.json, and no node_modules", () => {
    expect(readdirSync(out).sort()).toEqual(["dist", "migrations", "migrations-postgres", "package-lock.json", "package.json", "web"]);
    expect(readdirSync(join(out, "dist/node/server")).sort()).toEqual(["main.cjs", "start.cjs"]);
    expect(readdirSync(join(out, "migrations"))).toEqual(readdirSync(join(root, "migrations")));
    // DATABASE_URL=postgres://... applies these instead (docs/postgres.md).
    expect(readdirSync(join(out, "migrations-postgres"))).toEqual(readdirSync(join(root, "migrations-postgres")));
    expect(existsSync(join(out, "web/dist/index.html"))).toBe(true);
    // esbuild inlined every package: nothing to install, nothing installed.
    const manifest = JSON.parse(readFileSync(join(out, "package.json"), "utf8"));
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.devDependencies).toBeUndefined();
    expect(manifest.scripts.start).toBe(
      `node ${execForm(argsOf(runtimeStage, "CMD").at(-1) ?? "")
        ?.slice(1)
        .join(" ")}`,
    );
    expect(existsSync(join(out, "node_modules"))).toBe(false);
    // No node_modules above the folder either, which Node's resolution could fall back to.
    for (let dir = temp; dir !== "/"; dir = join(dir, "..")) expect(existsSync(join(dir, "node_modules")), dir).toBe(false);
    expect(existsSync("/node_modules")).toBe(false);
  });

  it("should refuse to replace a folder that is not an earlier build", async () => {
    const stranger = join(temp, "stranger");
    mkdirSync(stranger);
    writeFileSync(join(stranger, "notes.txt"), "mine");
    const error = await run("npm", ["run", "build:node", "--", stranger], { cwd: root }).catch((e: { stderr: string }) => e);
    expect((error as { stderr: string }).stderr).toMatch(
      /refusing to replace .*stranger: it is neither empty nor an earlier build:node output/,
    );
    expect(readdirSync(stranger)).toEqual(["notes.txt"]);
  });
});

describe("the built folder, started as the image's CMD", () => {
  it("should answer Connect JSON over fetch", async () => {
    const email = uniqueEmail("container");
    const created = await fetch(`${app.url}/acme.user.v1.UserService/CreateUser`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: testAuth.bearer },
      body: JSON.stringify({ email, displayName: "Container" }),
    });
    expect(created.status).toBe(200);
    const { user } = (await created.json()) as { user: { id: string; email: string } };
    expect(user.email).toBe(email);
    userId = user.id;
  });

  it("should answer gRPC from @grpc/grpc-js, unary and a server stream", async () => {
    const { stdout } = await run("buf", ["build", "--path", "proto/acme/user/v1/user.proto", "--as-file-descriptor-set", "-o", "-"], {
      cwd: root,
      encoding: "buffer",
      maxBuffer: 16 * 1024 * 1024,
    });
    const proto = grpc.loadPackageDefinition(protoLoader.loadFileDescriptorSetFromBuffer(stdout, { keepCase: true })) as any;
    const client = new proto.acme.user.v1.UserService(
      new URL(app.url).host,
      grpc.credentials.createInsecure(),
      grpcJsAuthorization(testAuth.bearer),
    );
    try {
      const got = await new Promise<any>((resolve, reject) =>
        client.GetUser({ id: userId }, (error: grpc.ServiceError | null, response: unknown) => (error ? reject(error) : resolve(response))),
      );
      expect(got.user.display_name).toBe("Container");
      const ids: string[] = [];
      for await (const message of client.ExportUsers({}) as grpc.ClientReadableStream<any>) ids.push(message.user.id);
      expect(ids).toContain(userId);
    } finally {
      client.close();
    }
  });

  it("should answer gRPC-Web (binary frames) over fetch", async () => {
    const message = toBinary(GetUserRequestSchema, create(GetUserRequestSchema, { id: userId }));
    const frame = new Uint8Array(5 + message.length);
    new DataView(frame.buffer).setUint32(1, message.length);
    frame.set(message, 5);
    const response = await fetch(`${app.url}/acme.user.v1.UserService/GetUser`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", authorization: testAuth.bearer },
      body: frame,
    });
    expect(response.status).toBe(200);
    const body = new Uint8Array(await response.arrayBuffer());
    const frames: { flags: number; data: Uint8Array }[] = [];
    for (let at = 0; at < body.length; ) {
      const length = new DataView(body.buffer, body.byteOffset + at + 1, 4).getUint32(0);
      frames.push({ flags: body[at]!, data: body.subarray(at + 5, at + 5 + length) });
      at += 5 + length;
    }
    expect(frames.map((f) => f.flags)).toEqual([0, 0x80]);
    expect(fromBinary(GetUserResponseSchema, frames[0]!.data).user?.displayName).toBe("Container");
    expect(new TextDecoder().decode(frames[1]!.data)).toMatch(/^grpc-status: ?0\r$/m);
  });

  it("should serve the page at / with its assets", async () => {
    const page = await fetch(`${app.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    const asset = /(?:src|href)="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset, html).toBeDefined();
    expect((await fetch(`${app.url}${asset}`)).status).toBe(200);
  });

  it("should answer GET /healthz, what the HEALTHCHECK asks", async () => {
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(200);
  });

  it("should pass the image's HEALTHCHECK command, which fails when nothing answers", async () => {
    const [, ...args] = execForm(argsOf(runtimeStage, "HEALTHCHECK").at(-1) ?? "") ?? [];
    const check = (port: string) =>
      run(process.execPath, args, { env: { PATH: process.env.PATH, PORT: port } }).then(
        () => 0,
        (error: { code: number }) => error.code,
      );
    expect(await check(new URL(app.url).port)).toBe(0);
    expect(await check("1")).toBe(1);
  });

  it("should keep its data in DATABASE_PATH across a SIGTERM and a restart, and export spans from the bundle", async () => {
    expect(await app.stop()).toBe(0);
    expect(existsSync(databasePath)).toBe(true);
    // The next start uses V8's code cache: Node's, and the bundle's own (bundle-loader.cjs).
    const cached = readdirSync(compileCache, { recursive: true, encoding: "utf8" });
    expect(cached.filter((path) => /(^|\/)server-bundle\/[0-9a-f]+\.v8cache$/.test(path))).toHaveLength(1);
    // The OpenTelemetry SDK is loaded only when an endpoint is set: that path runs from the bundle too.
    const receiver = await startOtlpReceiver();
    try {
      app = await startApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: "container-under-test" });
      const got = await fetch(`${app.url}/acme.user.v1.UserService/GetUser`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: testAuth.bearer },
        body: JSON.stringify({ id: userId }),
      });
      expect(((await got.json()) as { user: { displayName: string } }).user.displayName).toBe("Container");
      expect(await app.stop()).toBe(0); // flushes the span batch
      expect(receiver.spans.map((s) => s.name)).toContain("acme.user.v1.UserService/GetUser");
    } finally {
      await receiver.close();
    }
  });

  it("should have written nothing into its own folder (the image's is read-only)", () => {
    expect(listFiles(out)).toEqual(builtFiles);
    if (asImageUser.length > 0) expect(statSync(databasePath).uid).toBe(imageUid);
  });
});
