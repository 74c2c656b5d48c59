import { afterEach, describe, expect, it, vi } from "vitest";

/** A fresh instance of the module: its block is empty, so its first call draws one. */
async function freshRandomHex(): Promise<(bytes: number) => string> {
  vi.resetModules();
  return (await import("../../src/telemetry/random-hex.ts")).randomHex;
}

/** crypto.getRandomValues filling each block it is asked for with the next of `blocks`. */
function drawing(blocks: Uint8Array[]) {
  let calls = 0;
  return vi.spyOn(crypto, "getRandomValues").mockImplementation((array) => {
    (array as Uint8Array).set(blocks[calls++] ?? blocks.at(-1)!);
    return array;
  });
}

describe("randomHex (trace and span ids)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("should give lowercase hex of the asked length, unique across refills of its random block", async () => {
    const randomHex = await freshRandomHex();
    // 24 bytes per call from blocks of 4,096: 1,000 calls use six blocks.
    const traceIds = Array.from({ length: 1000 }, () => randomHex(16));
    const spanIds = Array.from({ length: 1000 }, () => randomHex(8));
    for (const id of traceIds) expect(id).toMatch(/^[0-9a-f]{32}$/);
    for (const id of spanIds) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set([...traceIds, ...spanIds]).size).toBe(2000);
  });

  it("should write each byte of a block as two hex digits, in order, and draw a new block when one is used up", async () => {
    const randomHex = await freshRandomHex();
    const first = Uint8Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) % 256);
    const second = Uint8Array.from({ length: 4096 }, (_, i) => (i * 101 + 3) % 256);
    const draws = drawing([first, second]);
    // 16 + 8 bytes at a time: 340 calls use 4,080 bytes; the next 32 do not fit in the 16 left.
    const ids = Array.from({ length: 340 }, (_, i) => randomHex(i % 2 ? 8 : 16)).join("");
    expect(ids).toBe(Buffer.from(first.subarray(0, 4080)).toString("hex"));
    expect(randomHex(32)).toBe(Buffer.from(second.subarray(0, 32)).toString("hex"));
    expect(draws).toHaveBeenCalledTimes(2);
  });

  it("should never give all zeros (an invalid id), drawing again instead", async () => {
    const randomHex = await freshRandomHex();
    const zeros = new Uint8Array(4096);
    const mostlyZeros = new Uint8Array(4096);
    mostlyZeros[20] = 1;
    drawing([zeros, mostlyZeros]);
    // The all-zero block is skipped id by id; in the next, the first 16 bytes are zeros
    // (skipped), the next 16 hold the one non-zero byte.
    expect(randomHex(16)).toBe(`00000000${"01"}${"00".repeat(11)}`);
  });
});
