import type { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { RpcLogEntry } from "../../src/interceptors/logging.ts";
import { createPino, rpcLogLines } from "../../src/runtime/node/pino-loggers.ts";

// rpcLogLines writes RPC log lines without pino's generic path; pino is the oracle: for
// every entry, the same bytes (the time aside, which may tick between the two), so the
// same object, keys in the same order. (pino escapes strings with JSON.stringify on the
// Node this project runs, 25 and later; before, lone surrogates went out unescaped.)

function capture(): pino.DestinationStream & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

const texts = [
  "ada",
  "",
  'say "hi"',
  "back\\slash",
  "tab\there, new\nline, cr\r, nul\u0000, bell\u0007, del\u007f",
  "ünïcödé – ✓ 日本語 🚀",
  "lone \ud800 high",
  "lone \udc00 low",
  "</script><script>alert(1)</script>",
  "x".repeat(41),
  `${"y".repeat(50)}"\n`,
  "\u2028\u2029",
];

const errors: RpcLogEntry["error"][] = [
  { message: "boom", type: "Error", stack: 'Error: boom\n    at f (file:///a "b".ts:1:2)\n    at g' },
  { message: "no stack", type: "TypeError" },
  { message: "odd \ud83d value", type: "string" },
];

const durations = [0, 0.001, 1.5, 123.456, 1e-7, 98765.4321, Number.NaN, Number.POSITIVE_INFINITY, -0];

/** Entries built as the logging interceptor builds them (src/interceptors/logging.ts), over every optional field. */
function corpus(): RpcLogEntry[] {
  const entries: RpcLogEntry[] = [];
  let i = 0;
  for (const text of texts) {
    for (const serverFault of [false, true]) {
      const ids = i % 3 !== 0;
      const duration = durations[i % durations.length] ?? 0;
      entries.push({
        level: serverFault ? "error" : "info",
        procedure: i % 2 ? "acme.user.v1.UserService/GetUser" : `acme.${text}/M`,
        protocol: ["grpc", "grpc_web", "connect"][i % 3] ?? "grpc",
        code: serverFault ? "INTERNAL" : "OK",
        duration_ms: duration,
        ...(ids ? { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7" } : {}),
        ...(i % 2 ? { subject: text } : {}),
        ...(i % 4 === 1 ? { refused: `subject ${text} lacks users:write` } : {}),
        ...(serverFault ? { error: errors[i % errors.length] } : {}),
      });
      i++;
    }
  }
  // Lines without a refusal or an error (every successful call): ids and a subject, each
  // hostile text once as the procedure and once as the subject, a caller's calls in runs.
  for (const [j, text] of texts.entries()) {
    const duration = durations[j % durations.length] ?? 0;
    // In the interceptor's key order, which is the line's.
    const line = (procedure: string) =>
      ({ level: "info", procedure, protocol: "connect", code: j % 2 ? "NOT_FOUND" : "OK", duration_ms: duration }) as const;
    entries.push({ ...line(`acme.${text}/M`), trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7" });
    entries.push({ ...line("acme.user.v1.UserService/GetUser"), subject: text });
    entries.push({ ...line("acme.user.v1.UserService/GetUser"), trace_id: text, subject: text });
  }
  // pino leaves out fields whose value is undefined.
  entries.push({ level: "info", procedure: "p/M", protocol: "grpc", code: "OK", duration_ms: 2, subject: undefined, refused: undefined });
  return entries;
}

const withoutTime = (line: string) => line.replace(/"time":"[^"]*"/, '"time":"T"');

describe("rpcLogLines", () => {
  it("should write what pino writes, for every field and hostile strings", () => {
    const oracle = capture();
    const logger = createPino(oracle);
    const ours = capture();
    const log = rpcLogLines(ours);
    const entries = corpus();
    for (const { level, ...fields } of entries) logger[level](fields);
    for (const entry of entries) log(entry);
    expect(ours.lines).toHaveLength(entries.length);
    entries.forEach((_, i) => {
      const expected = oracle.lines[i] ?? "";
      const actual = ours.lines[i] ?? "";
      expect(actual.endsWith("}\n") && actual.indexOf("\n") === actual.length - 1, actual).toBe(true);
      const parsed = JSON.parse(actual) as Record<string, unknown>;
      const wanted = JSON.parse(expected) as Record<string, unknown>;
      expect(Date.parse(String(parsed.time))).not.toBeNaN();
      delete parsed.time;
      delete wanted.time;
      expect(parsed).toEqual(wanted);
      expect(Object.keys(JSON.parse(actual))).toEqual(Object.keys(JSON.parse(expected)));
      expect(withoutTime(actual)).toBe(withoutTime(expected));
    });
  });

  it("should write each value right however many distinct ones repeat", () => {
    const oracle = capture();
    const logger = createPino(oracle);
    const ours = capture();
    const log = rpcLogLines(ours);
    // More distinct subjects than the cache holds, each logged twice, interleaved.
    const entries: RpcLogEntry[] = Array.from({ length: 5000 }, (_, i) => ({
      level: "info",
      procedure: `acme.s${i % 7}.v1.S/M`,
      protocol: "grpc",
      code: "OK",
      duration_ms: 1,
      subject: `user-${Math.floor(i / 2) % 2500}-"${i % 3 ? "ü" : "\\"}"`,
    }));
    for (const { level, ...fields } of entries) logger[level](fields);
    for (const entry of entries) log(entry);
    expect(ours.lines.map(withoutTime)).toEqual(oracle.lines.map(withoutTime));
  });

  it("should write every duration the logging interceptor can give as pino does", () => {
    const oracle = capture();
    const logger = createPino(oracle);
    const ours = capture();
    const log = rpcLogLines(ours);
    // Whole microseconds in ms (as logging.ts rounds them): every one up to 20 ms, then
    // seeded ones up to and past the 1e9 ms where the fast path ends.
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const durations = Array.from({ length: 20_001 }, (_, i) => i / 1000);
    for (const scale of [1e3, 1e6, 1e9, 1e12]) {
      for (let i = 0; i < 2000; i++) durations.push(Math.round(random() * scale * 1000) / 1000);
    }
    durations.push(999_999_999.999, 1e9, 1e9 + 0.001, 0.1 + 0.2, 1 / 3);
    for (const duration_ms of durations) {
      const entry = { level: "info", procedure: "p/M", protocol: "grpc", code: "OK", duration_ms } as const;
      const { level, ...fields } = entry;
      logger[level](fields);
      log(entry);
    }
    expect(ours.lines.map(withoutTime)).toEqual(oracle.lines.map(withoutTime));
  });

  it("should give pino's own lines (config, server) the same ISO time as RPC lines", () => {
    const lines = capture();
    const before = Date.now();
    createPino(lines).info({ source: "file" }, "config loaded");
    rpcLogLines(lines)({ level: "info", procedure: "p/M", protocol: "grpc", code: "OK", duration_ms: 1 });
    const iso = /^\{"level":"info","time":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)",/;
    const times = lines.lines.map((line) => iso.exec(line)?.[1]);
    expect(lines.lines[0]).toMatch(/,"source":"file","msg":"config loaded"\}\n$/);
    for (const time of times) expect(Date.parse(time ?? "")).toBeGreaterThanOrEqual(before);
  });

  it("should write lone surrogates escaped, so a line is always valid UTF-8 JSON", () => {
    const ours = capture();
    rpcLogLines(ours)({ level: "info", procedure: "p/M", protocol: "grpc", code: "OK", duration_ms: 1, subject: "a\ud800b" });
    const line = ours.lines[0] ?? "";
    expect(line).toContain('"subject":"a\\ud800b"');
    expect(new TextDecoder("utf-8", { fatal: true }).decode(new TextEncoder().encode(line))).toBe(line);
  });
});
