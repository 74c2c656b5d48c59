import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

// main.ts logs through pino into batchedDestination() (src/runtime/node/pino-loggers.ts):
// lines wait for 4 KiB or 100 ms. These run a real process writing to a real pipe, and
// check that no line waits longer, and that none is lost when the process ends.

const loggers = new URL("../../src/runtime/node/pino-loggers.ts", import.meta.url).href;

interface Child {
  stdout: () => string;
  exited: Promise<number | null>;
  kill: () => void;
}

/** Runs `body` in a Node process that has `logger`, made as main.ts makes it. */
function run(body: string): Child {
  const script = `import { batchedDestination, createPino } from ${JSON.stringify(loggers)};\nconst logger = createPino(batchedDestination());\n${body}`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { stdout: () => stdout, exited, kill: () => child.kill("SIGKILL") };
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
    // 200 lines (~14 KiB) at once, then the process idles: 4 KiB batches, then the rest.
    const child = run(`for (let n = 0; n < 200; n++) logger.info({ n }, "x".repeat(20)); setInterval(() => {}, 1000);`);
    try {
      await expect.poll(() => lines(child.stdout()).length, { timeout: 2000, interval: 10 }).toBe(200);
      expect(lines(child.stdout()).map((l) => l.n)).toEqual(Array.from({ length: 200 }, (_, n) => n));
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
});
