import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, matchesGlob } from "node:path";
import { describe, expect, it } from "vitest";
import { entryPath } from "../../scripts/build-node/main.ts";
import { nodeFlags } from "../../src/runtime/node/node-flags.mjs";
import { argsOf, envOf, execForm, parseDockerfile, type Stage } from "./dockerfile.ts";

// What the Dockerfile claims, checked so it cannot drift from the project: the pinned
// Node, the build steps, the user, the probe path, the command. container-build.test.ts
// runs its build steps and its CMD.

const root = new URL("../../", import.meta.url).pathname;
const pinnedNode = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { devDependencies: Record<string, string> })
  .devDependencies.node;
const stages = parseDockerfile(join(root, "Dockerfile"));
const [build, runtime] = stages as [Stage, Stage];

describe("Dockerfile", () => {
  it("should have a build and a runtime stage, both on the Node that package.json pins", () => {
    expect(stages.map((stage) => stage.name)).toEqual(["build", "runtime"]);
    for (const stage of stages) expect(stage.image).toBe(`node:${pinnedNode}-bookworm-slim`);
  });

  it("should build with npm install and the one npm script, then install production dependencies only", () => {
    expect(argsOf(build, "RUN")).toEqual([
      "npm install --no-audit --no-fund",
      "npm run build:node -- /out",
      "npm install --omit=dev --no-audit --no-fund",
    ]);
    expect(argsOf(build, "WORKDIR").at(-1)).toBe("/out");
  });

  it("should take only the built folder into the runtime stage", () => {
    const workdir = argsOf(runtime, "WORKDIR").at(-1);
    expect(argsOf(runtime, "COPY")).toEqual([`--from=build /out ${workdir}`]);
    expect(argsOf(runtime, "RUN").join("\n")).not.toMatch(/npm (install|ci)/);
  });

  it("should run as a numeric non-root user that owns only the data volume", () => {
    const users = argsOf(runtime, "USER");
    expect(users).toHaveLength(1);
    const [uid, gid] = users[0]!.split(":").map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    expect(runtime.instructions.findIndex((i) => i.keyword === "USER")).toBeGreaterThan(
      runtime.instructions.findIndex((i) => i.keyword === "COPY"),
    );
    expect(argsOf(runtime, "RUN")).toEqual([`mkdir -p /data && chown ${uid}:${gid} /data`]);
    expect(argsOf(runtime, "VOLUME")).toEqual(["/data"]);
  });

  it("should listen on 0.0.0.0:8080 and keep the database on the volume", () => {
    const env = envOf(runtime);
    expect(env).toMatchObject({ HOST: "0.0.0.0", PORT: "8080", NODE_ENV: "production", NODE_COMPILE_CACHE: "/tmp/node-compile-cache" });
    expect(env.DATABASE_PATH).toMatch(/^\/data\//);
    expect(argsOf(runtime, "EXPOSE")).toEqual([env.PORT]);
  });

  it("should check health with node's fetch on GET /healthz at $PORT", () => {
    const [healthcheck] = argsOf(runtime, "HEALTHCHECK");
    const command = execForm(healthcheck ?? "");
    expect(command?.slice(0, 2)).toEqual(["node", "-e"]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the command's own JavaScript, as text
    expect(command?.[2]).toContain("http://127.0.0.1:${process.env.PORT}/healthz");
    expect(healthcheck).not.toMatch(/curl|wget/);
  });

  it("should start node itself as PID 1 on the bundle, in exec form, stopped by SIGTERM", () => {
    expect(argsOf(runtime, "ENTRYPOINT")).toEqual([]);
    expect(argsOf(runtime, "CMD").map(execForm)).toEqual([["node", ...nodeFlags, entryPath]]);
    expect(argsOf(runtime, "STOPSIGNAL")).toEqual(["SIGTERM"]);
  });

  it("should give node the same flags as npm start does", () => {
    const { scripts } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(nodeFlags.length).toBeGreaterThan(0);
    expect(scripts.start).toBe(["node", ...nodeFlags, "src/runtime/node/start.cjs"].join(" "));
  });
});

describe(".dockerignore", () => {
  const patterns = readFileSync(join(root, ".dockerignore"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  // Docker ignores a path when a pattern matches it or one of its parent folders.
  const ignored = (path: string) =>
    path.split("/").some((_, i, parts) => patterns.some((pattern) => matchesGlob(parts.slice(0, i + 1).join("/"), pattern)));

  it("should leave out what a local install, build or run produced", () => {
    for (const path of [
      "node_modules",
      "dist",
      "web/dist",
      "src/gen",
      ".proto-deps",
      ".data",
      ".wrangler",
      "bench-results",
      "test-results",
      ".git",
    ]) {
      expect(ignored(path), path).toBe(true);
    }
  });

  it("should leave out everything git ignores, and nothing git tracks", () => {
    const gitignore = readFileSync(join(root, ".gitignore"), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "");
    for (const line of gitignore) expect(ignored(line.replace(/^\/|\/$/g, "")), line).toBe(true);
    const tracked = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" }).trim().split("\n");
    expect(tracked.filter(ignored)).toEqual([]);
  });
});
