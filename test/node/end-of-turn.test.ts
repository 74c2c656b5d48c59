import { describe, expect, it } from "vitest";
import { writeAtEndOfTurn } from "../../src/runtime/node/unary/end-of-turn.ts";

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

  it("should give a write's error to its own failure handler and still make the others", async () => {
    const made: string[] = [];
    const failures: [string, unknown][] = [];
    const boom = new Error("invalid header");
    writeAtEndOfTurn(
      () => made.push("a"),
      (error) => failures.push(["a", error]),
    );
    writeAtEndOfTurn(
      () => {
        throw boom;
      },
      (error) => failures.push(["b", error]),
    );
    writeAtEndOfTurn(
      () => made.push("c"),
      (error) => failures.push(["c", error]),
    );
    await nextTurn();
    expect(made).toEqual(["a", "c"]);
    expect(failures).toEqual([["b", boom]]);
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
