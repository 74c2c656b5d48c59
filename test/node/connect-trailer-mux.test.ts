import { trailerMux } from "@connectrpc/connect/protocol-connect";
import { describe, expect, it } from "vitest";
import { muxTrailers } from "../../src/runtime/node/unary/connect-unary.ts";

// The Connect fast path appends a unary call's trailers to its own response headers
// (muxTrailers) instead of copying them as connect's trailerMux does: the same entries,
// in the same order, whatever the two hold. No service of the template sets trailers, so
// the differential test never sees any; this holds muxTrailers to trailerMux directly.

type Entries = [string, string][];

const headerSets: Entries[] = [
  [],
  [["content-type", "application/proto"]],
  [
    ["content-type", "application/json"],
    ["x-b", "2"],
    ["X-A", "1"],
    ["x-a", "again"],
    ["set-cookie", "a=1"],
    ["set-cookie", "b=2"],
    // Already a trailer's name: the trailer is added to it, not put in its place.
    ["trailer-x-checksum", "from the header"],
  ],
];
const trailerSets: Entries[] = [
  [],
  [["x-checksum", "abc"]],
  [
    ["Grpc-Status-Details-Bin", "AAAA"],
    ["x-many", "1"],
    ["x-many", "2"],
    ["set-cookie", "c=3"],
    ["set-cookie", "d=4"],
    ["x-checksum", "abc"],
    ["trailer-nested", "odd but allowed"],
  ],
];

const headersOf = (entries: Entries) => {
  const headers = new Headers();
  for (const [name, value] of entries) headers.append(name, value);
  return headers;
};
const dump = (headers: Headers) => ({ entries: [...headers], cookies: headers.getSetCookie() });

describe("muxTrailers", () => {
  for (const [h, header] of headerSets.entries()) {
    for (const [t, trailer] of trailerSets.entries()) {
      it(`should give what connect's trailerMux gives (headers ${h}, trailers ${t})`, () => {
        const expected = trailerMux(headersOf(header), headersOf(trailer));
        const into = headersOf(header);
        const actual = muxTrailers(into, headersOf(trailer));
        expect(actual).toBe(into);
        expect(dump(actual)).toEqual(dump(expected));
      });
    }
  }
});
