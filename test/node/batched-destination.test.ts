import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { batchedDestination } from "../../src/runtime/node/batched-destination.ts";

// main.ts logs through pino into batchedDestination() (src/runtime/node/batched-destination.ts):
// lines wait for 16 KiB or 100 ms. These run a real process writing to a real pipe, and
// check that no line waits longer, and that none is lost when the process ends.

const loggers = new URL("../../src/runtime/node/pino-loggers.ts", import.meta.url).href;
const destination = new URL("../../src/runtime/node/batched-destination.ts", import.meta.url).href;

interface Child {
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  kill: () => void;
  resume: () => void;
}

/**
 * Runs `script` (ESM, with createPino and batchedDestination imported) in a Node process.
 * `closeStdoutAfterFirstData`: our end of its stdout is closed once a line arrives, so the
 * child's next write fails with EPIPE.
 */
function spawnScript(script: string, { paused = false, closeStdoutAfterFirstData = false } = {}): Child {
  const source = `import { createPino } from ${JSON.stringify(loggers)};\nimport { batchedDestination } from ${JSON.stringify(destination)};\n${script}`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", source], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => (stderr += chunk));
  if (paused) child.stdout.pause();
  if (closeStdoutAfterFirstData) child.stdout.once("data", () => child.stdout.destroy());
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { stdout: () => stdout, stderr: () => stderr, exited, kill: () => child.kill("SIGKILL"), resume: () => child.stdout.resume() };
}

/** Runs `body` in a Node process that has `logger`, made as main.ts makes it. */
function run(body: string, options: { paused?: boolean } = {}): Child {
  return spawnScript(`const logger = createPino(batchedDestination());\n${body}`, options);
}

const lines = (stdout: string) =>
  stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { msg?: string; n?: number; level: string });

describe("batched stdout destination", () => {
  it("writes a lone line within about 100 ms, while the process keeps running", async () => {
    const child = run(`logger.info("ready"); setInterval(() => {}, 1000);`);
    try {
      await expect.poll(() => lines(child.stdout()).map((l) => l.msg), { timeout: 2000, interval: 10 }).toEqual(["ready"]);
    } finally {
      child.kill();
    }
  });

  it("writes every line of a burst, in order", async () => {
    // 400 lines (~34 KiB) at once, then the process idles: 16 KiB batches, then the rest.
    const child = run(`for (let n = 0; n < 400; n++) logger.info({ n }, "x".repeat(20)); setInterval(() => {}, 1000);`);
    try {
      await expect.poll(() => lines(child.stdout()).length, { timeout: 2000, interval: 10 }).toBe(400);
      expect(lines(child.stdout()).map((l) => l.n)).toEqual(Array.from({ length: 400 }, (_, n) => n));
    } finally {
      child.kill();
    }
  });

  it("writes what is pending when the process exits, however it exits", async () => {
    const exit = run(`logger.info("before exit"); process.exit(3);`);
    expect(await exit.exited).toBe(3);
    expect(lines(exit.stdout()).map((l) => l.msg)).toEqual(["before exit"]);

    const crash = run(`logger.error("before crash"); throw new Error("boom");`);
    expect(await crash.exited).toBe(1);
    expect(lines(crash.stdout()).map((l) => l.msg)).toEqual(["before crash"]);

    const end = run(`logger.info("at the end");`);
    expect(await end.exited).toBe(0);
    expect(lines(end.stdout()).map((l) => l.msg)).toEqual(["at the end"]);
  });

  it("waits out a full non-blocking pipe and loses nothing", async () => {
    // Using process.stdout makes the pipe non-blocking: with the reader paused, writes
    // fill it (64 KiB), then are taken in part or refused (EAGAIN) until the reader drains
    // it. Some lines are longer than a page, so a write can stop inside a line.
    const child = run(
      `process.stdout.write(""); for (let n = 0; n < 4000; n++) logger.info({ n }, "y".repeat(n % 7 === 0 ? 9000 : 200)); logger.info("done");`,
      { paused: true },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.resume();
    expect(await child.exited).toBe(0);
    const written = lines(child.stdout());
    expect(written.length).toBe(4001);
    expect(written.slice(0, -1).map((l) => l.n)).toEqual(Array.from({ length: 4000 }, (_, n) => n));
  });
});

describe("batchedDestination into a file", () => {
  it("writes exactly the bytes it was given, in order, across batches", () => {
    const dir = mkdtempSync(join(tmpdir(), "batched-"));
    try {
      const file = join(dir, "log");
      const destination = batchedDestination(file);
      // ASCII, two-, three- and four-byte UTF-8, a line longer than a batch, empty writes.
      const writes = ["plain\n", "grüße €\n", "😀 astral\n", "", `${"z".repeat(10_000)}\n`];
      for (let round = 0; round < 50; round++) for (const line of writes) destination.write(line);
      destination.write("last\n");
      // Batches of 16 KiB have left already; the rest only on flush.
      const before = readFileSync(file, "utf8");
      expect(before.length).toBeGreaterThan(0);
      expect(before.endsWith("last\n")).toBe(false);
      destination.end();
      expect(readFileSync(file, "utf8")).toBe(`${writes.join("").repeat(50)}last\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("batchedDestination when writes fail", () => {
  it("keeps the process running when stdout's reader is gone, on the timer path and the write path, and says so once", async () => {
    // A line every 10 ms (flushed by the 100 ms timer), then a burst of ~40 KiB (flushed
    // inside write(), under the caller), then console.log on the same pipe; then it ends.
    const child = spawnScript(
      `const logger = createPino(batchedDestination());
       logger.info("first"); let n = 0;
       const tick = setInterval(() => logger.info({ n: n++ }, "tick"), 10);
       setTimeout(() => {
         for (let i = 0; i < 300; i++) logger.info({ i }, "x".repeat(100));
         console.log("console too");
         clearInterval(tick);
         setTimeout(() => process.stderr.write("still serving\\n"), 200);
       }, 600);`,
      { closeStdoutAfterFirstData: true },
    );
    expect(await child.exited, child.stderr()).toBe(0);
    const notices = child.stderr().match(/log lines dropped: writing to descriptor 1 failed \(EPIPE\); the server keeps serving/g);
    expect(notices, child.stderr()).toHaveLength(1);
    expect(child.stderr()).toContain("still serving\n");
    expect(child.stderr()).not.toMatch(/Error|at /);
  });

  it("drops a batch that cannot be written, then reports the loss once writes work again", async () => {
    // Descriptor numbers are reused lowest first: closing the destination's descriptor
    // makes its writes fail (EBADF) until a file is opened on the same number.
    const dir = mkdtempSync(join(tmpdir(), "batched-"));
    try {
      const child = spawnScript(
        `import { closeSync, openSync } from "node:fs";
         const fd = openSync(${JSON.stringify(join(dir, "a"))}, "a");
         const destination = batchedDestination(fd);
         destination.write("kept 1\\n");
         destination.flushSync();
         closeSync(fd);
         destination.write("lost 1\\n");
         destination.write("lost 2\\n");
         destination.flushSync();
         destination.write("lost 3\\n");
         destination.flushSync();
         const again = openSync(${JSON.stringify(join(dir, "b"))}, "a");
         if (again !== fd) throw new Error("descriptor " + fd + " was not reused");
         destination.write("kept 2\\n");
         destination.end();`,
      );
      expect(await child.exited, child.stderr()).toBe(0);
      expect(child.stderr().split("\n").filter(Boolean)).toEqual([
        expect.stringMatching(/^log lines dropped: writing to descriptor \d+ failed \(EBADF\); the server keeps serving$/),
        expect.stringMatching(/^log lines written again to descriptor \d+; 3 were dropped$/),
      ]);
      expect(readFileSync(join(dir, "a"), "utf8")).toBe("kept 1\n");
      expect(readFileSync(join(dir, "b"), "utf8")).toBe("kept 2\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
