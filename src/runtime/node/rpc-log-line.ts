import type { RpcLogEntry } from "../../interceptors/logging.ts";

/**
 * One RPC log line as pino writes it ({"level":...,"time":..., then the entry's fields in
 * RpcLogEntry's order, undefined ones left out), newline included.
 *
 * Most of a line is the same for every call of a method that ends the same way: `"procedure":
 * ...,"protocol":...,"code":...,"duration_ms":`. That part is escaped once and kept
 * (`middle`); a call adds its time, duration, ids and subject, each written as
 * JSON.stringify writes it. Lines with a refusal or an error (rare) take one JSON.stringify
 * of the whole entry. In a loop: ~370 against ~600 ns a line, joined and encoded as the
 * destination does (docs/performance.md, eighteenth session). pino stays the oracle
 * (test/node/rpc-log-lines.test.ts).
 */
export function rpcLogLine(entry: RpcLogEntry, time: string): string {
  if (entry.refused !== undefined || entry.error !== undefined) return wholeLine(entry, time);
  let line = `${levelPrefixes[entry.level]}${time}${middle(entry.procedure, entry.protocol, entry.code)}${numberText(entry.duration_ms)}`;
  if (entry.trace_id !== undefined) line += `,"trace_id":${JSON.stringify(entry.trace_id)}`;
  if (entry.span_id !== undefined) line += `,"span_id":${JSON.stringify(entry.span_id)}`;
  if (entry.subject !== undefined) line += `,"subject":${subjectText(entry.subject)}`;
  return `${line}}\n`;
}

function wholeLine(entry: RpcLogEntry, time: string): string {
  const line = JSON.stringify({
    level: entry.level,
    time,
    procedure: entry.procedure,
    protocol: entry.protocol,
    code: entry.code,
    duration_ms: entry.duration_ms,
    trace_id: entry.trace_id,
    span_id: entry.span_id,
    subject: entry.subject,
    refused: entry.refused,
    error: entry.error,
  });
  return `${line}\n`;
}

/** `{"level":"info","time":"` by level: the time (an ISO string, nothing to escape) follows. */
const levelPrefixes: Record<RpcLogEntry["level"], string> = { info: '{"level":"info","time":"', error: '{"level":"error","time":"' };

/** The middles made so far, by procedure, protocol and code (nested: no key string built per call). */
const middles = new Map<string, Map<string, Map<string, string>>>();
/** Procedures are the methods served, so few; a bound all the same, should that change. */
const maxProcedures = 1000;

function middle(procedure: string, protocol: string, code: string): string {
  let byProtocol = middles.get(procedure);
  if (!byProtocol) {
    if (middles.size >= maxProcedures) middles.clear();
    byProtocol = new Map();
    middles.set(procedure, byProtocol);
  }
  let byCode = byProtocol.get(protocol);
  if (!byCode) {
    byCode = new Map();
    byProtocol.set(protocol, byCode);
  }
  let text = byCode.get(code);
  if (text === undefined) {
    text = `","procedure":${JSON.stringify(procedure)},"protocol":${JSON.stringify(protocol)},"code":${JSON.stringify(code)},"duration_ms":`;
    byCode.set(code, text);
  }
  return text;
}

/** A number as JSON.stringify writes it: NaN and the infinities as null. */
function numberText(value: number): string {
  // Durations are whole microseconds in ms (logging.ts rounds them): written from the
  // whole milliseconds (V8 keeps small integers' strings) and a kept fraction, instead of
  // the shortest-digits conversion of a double on every line. The same text below 1e9 ms,
  // where doubles are far closer together than 0.001 (test/node/rpc-log-lines.test.ts).
  const micros = Math.round(value * 1000);
  if (value >= 0 && value < 1e9 && micros / 1000 === value) {
    return `${Math.floor(micros / 1000)}${fractions[micros % 1000]}`;
  }
  return Number.isFinite(value) ? String(value) : "null";
}

/** ".5", ".25", ".125", "" for 0: each thousandth as String() writes it after the point. */
const fractions = Array.from({ length: 1000 }, (_, i) => (i === 0 ? "" : `.${String(i).padStart(3, "0").replace(/0+$/, "")}`));

// Calls of one caller come in runs: its subject escaped once per run.
let lastSubject: string | undefined;
let lastSubjectText = "";

function subjectText(subject: string): string {
  if (subject !== lastSubject) {
    lastSubject = subject;
    lastSubjectText = JSON.stringify(subject);
  }
  return lastSubjectText;
}
