import { describe, expect, it } from "vitest";
import { requestUrl } from "../../src/runtime/node/unary/request-url.ts";

// requestUrl keeps what new URL(path, scheme://authority) made, by authority and path:
// URL is the oracle, for odd authorities and paths, repeated, and past the cache's size.

const oracle = (scheme: "http" | "https", authority: string, path: string) => new URL(path, `${scheme}://${authority}`).toString();

const authorities = [
  "127.0.0.1:8080",
  "LOCALHOST:80",
  "example.com",
  "Example.COM.:443",
  "127.1",
  "0x7f.0.0.1:3000",
  "[::1]:8080",
  "xn--bcher-kva.example",
  "bücher.example",
];
const paths = [
  "/acme.user.v1.UserService/GetUser",
  "/acme.user.v1.UserService/GetUser?encoding=json&message=%7B%7D",
  "/a/../acme.user.v1.UserService/GetUser",
  "/acme.user.v1.UserService/Get%55ser",
  "/acme.user.v1.UserService/GetUser#fragment",
  "//evil.example/acme.user.v1.UserService/GetUser",
  "/acme.user.v1.UserService/GetUser\\x",
  "/späce here/ü",
];

describe("requestUrl", () => {
  it("gives what new URL gives, first and when kept", () => {
    for (let round = 0; round < 3; round++) {
      for (const scheme of ["http", "https"] as const) {
        for (const authority of authorities) {
          for (const path of paths)
            expect(requestUrl(scheme, authority, path), `${scheme} ${authority} ${path}`).toBe(oracle(scheme, authority, path));
        }
      }
    }
  });

  it("stays right past the number of URLs it keeps", () => {
    for (let i = 0; i < 3000; i++) {
      const authority = `host-${i % 50}:${8000 + (i % 3)}`;
      const path = `/s.v1.S/M${i % 37}`;
      expect(requestUrl(i % 2 ? "https" : "http", authority, path)).toBe(oracle(i % 2 ? "https" : "http", authority, path));
    }
  });

  it("throws as new URL does for an authority it cannot parse", () => {
    expect(() => requestUrl("http", "exa mple.com", "/s.v1.S/M")).toThrow();
    expect(() => requestUrl("http", "exa mple.com", "/s.v1.S/M")).toThrow();
  });
});
