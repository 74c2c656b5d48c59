import type { IncomingHttpHeaders } from "node:http";
import { appendNodeHeaders } from "./node-headers.ts";

/** An RFC 9110 token: the header names undici accepts. */
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * A fast-path call's request headers as fetch Headers, answering get() and has() from
 * Node's header object until anything else is asked of them (iteration, a change,
 * getSetCookie), when Node's headers move into undici's list once, as appendNodeHeaders
 * puts them. Appending up front cost ~1.3 µs per call, most of it undici validating
 * each value character by character (a bearer token is hundreds of them), though a
 * call reads only a few headers (content type, authorization, traceparent).
 *
 * A read from Node's object returns what undici would: names are matched case-
 * insensitively, and a name undici rejects, a value it would trim or reject, or a
 * repeated header (an array) is left to undici itself. Node's parsers hand over values
 * decoded as latin1 (every character under 256), which undici's ByteString conversion
 * accepts; that is the one check not repeated here. test/node/node-request-headers.test.ts
 * holds it to appendNodeHeaders over a corpus of header sets and operations.
 */
export class NodeRequestHeaders extends Headers {
  #node: IncomingHttpHeaders | undefined;

  constructor(node: IncomingHttpHeaders) {
    super();
    this.#node = node;
  }

  /** Moves Node's headers into undici's list, once. */
  #own(): void {
    const node = this.#node;
    if (node === undefined) return;
    this.#node = undefined;
    appendNodeHeaders(this, node);
  }

  /** get()'s answer read from Node's object (null: absent); undefined: ask undici. */
  #read(name: unknown): string | null | undefined {
    const node = this.#node;
    if (node === undefined || typeof name !== "string" || !token.test(name)) return undefined;
    const value = node[name.toLowerCase()];
    if (value === undefined) return null;
    return typeof value === "string" && storedAsIs(value) ? value : undefined;
  }

  // The methods, on the prototype rather than as class members: the DOM typings declare
  // Headers' methods as properties, which a subclass cannot override with methods.
  static {
    const inherited = Headers.prototype as unknown as Record<PropertyKey, (...args: unknown[]) => unknown>;
    const define = (name: PropertyKey, value: (this: NodeRequestHeaders, ...args: unknown[]) => unknown) =>
      Object.defineProperty(NodeRequestHeaders.prototype, name, { value, writable: true, configurable: true });
    const { get, has } = inherited;
    define("get", function (...args) {
      const value = this.#read(args[0]);
      if (value !== undefined) return value;
      this.#own();
      return get?.apply(this, args);
    });
    define("has", function (...args) {
      const value = this.#read(args[0]);
      if (value !== undefined) return value !== null;
      this.#own();
      return has?.apply(this, args);
    });
    // Everything else (changes, getSetCookie, iteration, util.inspect): undici's own, after the move.
    const inspect = Symbol.for("nodejs.util.inspect.custom");
    for (const name of ["append", "set", "delete", "getSetCookie", "forEach", "keys", "values", "entries", Symbol.iterator, inspect]) {
      const method = inherited[name];
      if (method === undefined) continue;
      define(name, function (...args) {
        this.#own();
        return method.apply(this, args);
      });
    }
  }
}

/** Whether undici stores `value` unchanged: no tab or space at either end, no NUL, CR or LF. */
function storedAsIs(value: string): boolean {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  if (first === 9 || first === 32 || last === 9 || last === 32) return false;
  return !value.includes("\n") && !value.includes("\r") && !value.includes("\0");
}
