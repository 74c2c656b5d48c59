import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

// src/runtime/node/bundle-loader.cjs, as npm start and the production package use it: in
// Node processes of their own, on a small CommonJS "bundle" in a temporary folder.

const run = promisify(execFile);
const loader = new URL("../../src/runtime/node/bundle-loader.cjs", import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), "bundle-loader-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A bundle that reports what it was given; `word` changes its output, not its length. */
function writeBundle(dir: string, word: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "dep.cjs"), 'module.exports = "dep";');
  const file = join(dir, "main.cjs");
  writeFileSync(
    file,
    [
      `const lazy = () => ${JSON.stringify(word)};`,
      'console.log(["ran", lazy(), require("./dep.cjs"), __filename, __dirname, typeof module.exports].join(" "));',
      'import("node:os").then((os) => console.log("dynamic import", typeof os.cpus));',
    ].join("\n"),
  );
  return file;
}

/** Runs loadBundle(file, options) in a new process; its output, the status last. */
async function load(file: string, options: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const script = `const status = require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(file)}, ${options}); setTimeout(() => console.log("status " + status), 50);`;
  const { stdout } = await run(process.execPath, ["-e", script], { env: { ...process.env, ...env } });
  return stdout.trim().split("\n");
}

const caches = (dir: string) => (existsSync(join(dir, "server-bundle")) ? readdirSync(join(dir, "server-bundle")) : []);

describe("loadBundle", () => {
  it("should run the bundle as CommonJS, write its code cache on exit and use it the next time", async () => {
    const dir = join(root, "first");
    const file = writeBundle(dir, "one");
    const cacheDir = join(dir, "cache");
    const first = await load(file, `{ cacheDir: ${JSON.stringify(cacheDir)} }`);
    expect(first).toEqual([`ran one dep ${file} ${dir} object`, "dynamic import function", "status absent"]);
    expect(caches(cacheDir)).toEqual([expect.stringMatching(/^[0-9a-f]+\.v8cache$/)]);
    expect((await load(file, `{ cacheDir: ${JSON.stringify(cacheDir)} }`)).at(-1)).toBe("status loaded");
  });

  it("should decode a bundle that is not ASCII as UTF-8", async () => {
    const dir = join(root, "utf8");
    const file = writeBundle(dir, "één ✓");
    expect((await load(file, "{ cacheDir: undefined }"))[0]).toBe(`ran één ✓ dep ${file} ${dir} object`);
  });

  it("should not use the cache of another build of the same length, and replace it", async () => {
    const dir = join(root, "rebuilt");
    const cacheDir = join(dir, "cache");
    const file = writeBundle(dir, "one");
    await load(file, `{ cacheDir: ${JSON.stringify(cacheDir)} }`);
    writeBundle(dir, "two");
    const after = await load(file, `{ cacheDir: ${JSON.stringify(cacheDir)} }`);
    expect(after[0]).toMatch(/^ran two /);
    expect(after.at(-1)).toBe("status absent");
    expect(caches(cacheDir)).toHaveLength(1);
    const again = await load(file, `{ cacheDir: ${JSON.stringify(cacheDir)} }`);
    expect(again[0]).toMatch(/^ran two /);
    expect(again.at(-1)).toBe("status loaded");
  });

  it("should compile without a damaged cache, and write it again", async () => {
    const dir = join(root, "damaged");
    const cacheDir = join(dir, "cache");
    const file = writeBundle(dir, "one");
    await load(file, `{ cacheDir: ${JSON.stringify(cacheDir)} }`);
    const [name = ""] = caches(cacheDir);
    const path = join(cacheDir, "server-bundle", name);
    const bytes = readFileSync(path);
    bytes.fill(7, 16);
    writeFileSync(path, bytes);
    const damaged = await load(file, `{ cacheDir: ${JSON.stringify(cacheDir)} }`);
    expect(damaged[0]).toBe(`ran one dep ${file} ${dir} object`);
    expect(damaged.at(-1)).toBe("status rejected");
    expect((await load(file, `{ cacheDir: ${JSON.stringify(cacheDir)} }`)).at(-1)).toBe("status loaded");
  });

  it("should write the cache after saveAfterMs in a process that does not exit", async () => {
    const dir = join(root, "timer");
    const cacheDir = join(dir, "cache");
    const file = writeBundle(dir, "one");
    // Killed with SIGKILL: no exit handler runs, only the timer can have written it.
    const script = `require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(file)}, { cacheDir: ${JSON.stringify(cacheDir)}, saveAfterMs: 20 }); setTimeout(() => process.kill(process.pid, "SIGKILL"), 1000);`;
    await expect(run(process.execPath, ["-e", script])).rejects.toMatchObject({ signal: "SIGKILL" });
    expect(caches(cacheDir)).toHaveLength(1);
  });

  it("should not write the cache of a process that exits with a failure", async () => {
    const dir = join(root, "failed");
    const cacheDir = join(dir, "cache");
    const file = writeBundle(dir, "one");
    const script = `require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(file)}, { cacheDir: ${JSON.stringify(cacheDir)} }); process.exit(1);`;
    await expect(run(process.execPath, ["-e", script])).rejects.toMatchObject({ code: 1 });
    expect(caches(cacheDir)).toEqual([]);
  });

  it("should run without a cache where none can be written, or none is wanted", async () => {
    const dir = join(root, "unwritable");
    const file = writeBundle(dir, "one");
    const blocked = join(dir, "blocked");
    writeFileSync(blocked, "a file where the cache folder would be");
    const unwritable = await load(file, `{ cacheDir: ${JSON.stringify(blocked)} }`);
    expect(unwritable[0]).toBe(`ran one dep ${file} ${dir} object`);
    expect(unwritable.at(-1)).toBe("status absent");
    expect((await load(file, "{ cacheDir: undefined }")).at(-1)).toBe("status off");
  });
});

describe("bundle-loader.cjs as the production entry (start.cjs beside main.cjs)", () => {
  it("should keep the cache in Node's compile cache directory, and none when that is off", async () => {
    const dir = join(root, "entry");
    writeBundle(dir, "one");
    copyFileSync(loader, join(dir, "start.cjs"));
    const cacheDir = join(dir, "compile-cache");
    const { stdout } = await run(process.execPath, [join(dir, "start.cjs")], { env: { ...process.env, NODE_COMPILE_CACHE: cacheDir } });
    expect(stdout).toMatch(/^ran one dep /);
    const written = readdirSync(cacheDir, { recursive: true, encoding: "utf8" });
    expect(written.filter((path) => /(^|\/)server-bundle\/[0-9a-f]+\.v8cache$/.test(path))).toHaveLength(1);

    const off = join(dir, "off");
    await run(process.execPath, [join(dir, "start.cjs")], {
      env: { ...process.env, NODE_COMPILE_CACHE: off, NODE_DISABLE_COMPILE_CACHE: "1" },
    });
    expect(existsSync(off) ? readdirSync(off, { recursive: true }) : []).toEqual([]);
  });
});
