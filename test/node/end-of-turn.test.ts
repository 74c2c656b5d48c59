import { describe, expect, it } from "vitest";
import { runAfterWrites, writeAtEndOfTurn } from "../../src/runtime/node/unary/end-of-turn.ts";

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("writeAtEndOfTurn", () => {
  it("should hold writes past the turn's microtasks, then make them all, in order", async () => {
    const made: number[] = [];
    const failures: unknown[] = [];
    // Held before the turn's first setImmediate is queued: the writes go first.
    writeAtEndOfTurn(
      () => made.push(1),
      (error) => failures.push(error),
    );
    await Promise.resolve();
    writeAtEndOfTurn(
      () => made.push(2),
      (error) => failures.push(error),
    );
    queueMicrotask(() =>
      writeAtEndOfTurn(
        () => made.push(3),
        (error) => failures.push(error),
      ),
    );
    await Promise.resolve();
    await Promise.resolve();
    expect(made).toEqual([]);
    await nextTurn();
    expect(made).toEqual([1, 2, 3]);
    expect(failures).toEqual([]);
  });

  it("should make a write held while the others are made in the next turn, not lose it", async () => {
    const made: string[] = [];
    writeAtEndOfTurn(
      () => {
        made.push("first");
        writeAtEndOfTurn(
          () => made.push("from a write"),
          () => {},
        );
      },
      () => {},
    );
    await nextTurn();
    expect(made).toEqual(["first"]);
    await nextTurn();
    expect(made).toEqual(["first", "from a write"]);
    // And the queue works on after that.
    writeAtEndOfTurn(
      () => made.push("later"),
      () => {},
    );
    await nextTurn();
    expect(made).toEqual(["first", "from a write", "later"]);
  });
});

describe("runAfterWrites", () => {
  it("should run tasks after every write of the turn, those held after them included, in order", async () => {
    const done: string[] = [];
    const none = () => {};
    runAfterWrites(() => done.push("task 1"), none);
    writeAtEndOfTurn(() => done.push("write 1"), none);
    await Promise.resolve();
    runAfterWrites(() => done.push("task 2"), none);
    writeAtEndOfTurn(() => done.push("write 2"), none);
    expect(done).toEqual([]);
    await nextTurn();
    expect(done).toEqual(["write 1", "write 2", "task 1", "task 2"]);
  });

  it("should make a write a task holds in the next turn", async () => {
    const done: string[] = [];
    runAfterWrites(
      () =>
        writeAtEndOfTurn(
          () => done.push("write from a task"),
          () => {},
        ),
      () => {},
    );
    await nextTurn();
    expect(done).toEqual([]);
    await nextTurn();
    expect(done).toEqual(["write from a task"]);
  });
});

// Writes, and tasks alone (no write held): each one's error goes to its own handler.
describe.each([
  ["writeAtEndOfTurn", writeAtEndOfTurn],
  ["runAfterWrites", runAfterWrites],
] as const)("%s", (_, hold) => {
  it("should give one's error to its own failure handler and still run the others", async () => {
    const done: string[] = [];
    const failures: [string, unknown][] = [];
    const boom = new Error("failed");
    hold(
      () => done.push("a"),
      (error) => failures.push(["a", error]),
    );
    hold(
      () => {
        throw boom;
      },
      (error) => failures.push(["b", error]),
    );
    hold(
      () => done.push("c"),
      (error) => failures.push(["c", error]),
    );
    await nextTurn();
    expect(done).toEqual(["a", "c"]);
    expect(failures).toEqual([["b", boom]]);
  });
});
