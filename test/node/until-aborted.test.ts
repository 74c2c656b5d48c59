import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { untilAborted } from "../../src/reflection/until-aborted.ts";

/** Yields `first`, then waits for the next item until `release` (like an idle client stream). */
function idleAfter<T>(first: T) {
  let release: (error: Error) => void = () => {};
  const blocked = new Promise<never>((_, reject) => {
    release = reject;
  });
  async function* items(): AsyncIterable<T> {
    yield first;
    await blocked;
  }
  return { items: items(), release };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const seen: T[] = [];
  for await (const item of items) seen.push(item);
  return seen;
}

describe("untilAborted", () => {
  it("should pass every item through when never aborted", async () => {
    async function* three() {
      yield* [1, 2, 3];
    }
    expect(await collect(untilAborted(three(), new AbortController().signal))).toEqual([1, 2, 3]);
    expect(await collect(untilAborted(three(), undefined))).toEqual([1, 2, 3]);
  });

  it("should leave no listener on the server-long signal once a stream ends", async () => {
    async function* one() {
      yield 1;
    }
    const shutdown = new AbortController();
    for (let i = 0; i < 20; i++) await collect(untilAborted(one(), shutdown.signal));
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(0);
  });

  it("should end while waiting for the next item once the signal aborts", async () => {
    const { items } = idleAfter("first");
    const shutdown = new AbortController();
    const seen = collect(untilAborted(items, shutdown.signal));
    setTimeout(() => shutdown.abort(), 10);
    expect(await seen).toEqual(["first"]);
  });

  it("should end at once when the signal has already aborted", async () => {
    const { items } = idleAfter("first");
    expect(await collect(untilAborted(items, AbortSignal.abort()))).toEqual([]);
  });

  it("should not leave the abandoned wait to fail unhandled", async () => {
    const { items, release } = idleAfter("first");
    const shutdown = new AbortController();
    const seen = collect(untilAborted(items, shutdown.signal));
    setTimeout(() => shutdown.abort(), 10);
    await seen;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      release(new Error("client went away"));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
