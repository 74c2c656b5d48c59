import type { WireProtocol } from "./wire-requests.ts";

/** Which bench server process a row loads (scripts/bench-server.ts kinds, two templates). */
export type ServerName = "raw-h1" | "raw-h2" | "connect-node" | "grpc-js" | "template" | "template-empty";

/** A unary GetUser row: one server, one encoding, one HTTP version. */
export interface UnaryRowSpec {
  id: string;
  label: string;
  server: ServerName;
  /** The server's port by name ("h1", "h2c", or "port" for the one-port template). */
  port: string;
  protocol: WireProtocol;
  h1: boolean;
  anchor?: string;
  /** Raw anchors echo the request; every other server answers the user. */
  expect: "echo" | "user";
}

/** 100 in flight everywhere: 100 HTTP/1.1 connections, or 10 h2c connections x 10 streams. */
export const h1Load = { connections: 100, streams: 1 };
export const h2Load = { connections: 10, streams: 10 };

export const unaryRows: readonly UnaryRowSpec[] = [
  {
    id: "raw-http1-json",
    label: "anchor: raw node:http JSON echo, HTTP/1.1",
    server: "raw-h1",
    port: "h1",
    protocol: "connect-json",
    h1: true,
    expect: "echo",
  },
  {
    id: "raw-http2-proto",
    label: "anchor: raw node:http2 stream API, Connect-proto echo, h2c",
    server: "raw-h2",
    port: "h2c",
    protocol: "connect-proto",
    h1: false,
    expect: "echo",
  },
  {
    id: "connect-node-json-h1",
    label: "stock connect-node, Connect JSON, HTTP/1.1",
    server: "connect-node",
    port: "h1",
    protocol: "connect-json",
    h1: true,
    anchor: "raw-http1-json",
    expect: "user",
  },
  {
    id: "connect-node-grpc-h2c",
    label: "stock connect-node, gRPC, h2c",
    server: "connect-node",
    port: "h2c",
    protocol: "grpc",
    h1: false,
    anchor: "grpc-js-grpc-h2c",
    expect: "user",
  },
  {
    id: "grpc-js-grpc-h2c",
    label: "anchor: @grpc/grpc-js GetUser (SQLite), gRPC, h2c",
    server: "grpc-js",
    port: "h2c",
    protocol: "grpc",
    h1: false,
    anchor: "raw-http2-proto",
    expect: "user",
  },
  {
    id: "template-json-h1",
    label: "template GetUser, Connect JSON, HTTP/1.1",
    server: "template",
    port: "port",
    protocol: "connect-json",
    h1: true,
    anchor: "raw-http1-json",
    expect: "user",
  },
  {
    id: "template-proto-h2c",
    label: "template GetUser, Connect proto, h2c",
    server: "template",
    port: "port",
    protocol: "connect-proto",
    h1: false,
    anchor: "raw-http2-proto",
    expect: "user",
  },
  {
    id: "template-grpc-web-h2c",
    label: "template GetUser, gRPC-Web (binary), h2c",
    server: "template",
    port: "port",
    protocol: "grpc-web",
    h1: false,
    anchor: "raw-http2-proto",
    expect: "user",
  },
  {
    id: "template-grpc-h2c",
    label: "template GetUser, gRPC, h2c",
    server: "template",
    port: "port",
    protocol: "grpc",
    h1: false,
    anchor: "grpc-js-grpc-h2c",
    expect: "user",
  },
  {
    id: "template-empty-json-h1",
    label: "template, empty chain, Connect JSON, HTTP/1.1",
    server: "template-empty",
    port: "port",
    protocol: "connect-json",
    h1: true,
    anchor: "raw-http1-json",
    expect: "user",
  },
  {
    id: "template-empty-proto-h2c",
    label: "template, empty chain, Connect proto, h2c",
    server: "template-empty",
    port: "port",
    protocol: "connect-proto",
    h1: false,
    anchor: "raw-http2-proto",
    expect: "user",
  },
  {
    id: "template-empty-grpc-web-h2c",
    label: "template, empty chain, gRPC-Web (binary), h2c",
    server: "template-empty",
    port: "port",
    protocol: "grpc-web",
    h1: false,
    anchor: "raw-http2-proto",
    expect: "user",
  },
  {
    id: "template-empty-grpc-h2c",
    label: "template, empty chain, gRPC, h2c",
    server: "template-empty",
    port: "port",
    protocol: "grpc",
    h1: false,
    anchor: "grpc-js-grpc-h2c",
    expect: "user",
  },
];

/**
 * The order rows run in within a round: each template row right beside the row it is
 * divided by (its anchor, and for the chain its empty-chain twin), so a ratio compares
 * two runs seconds apart rather than up to a minute apart. Even rounds run it backwards,
 * so neither row of a pair always goes first. Every id in unaryRows appears once.
 *
 * The empty-chain server serves every protocol the full one does, each beside its full
 * twin, although only two of its rows are chain pairs: a server's speed on one protocol
 * depends on what else it has served (a template that had also served Connect proto,
 * gRPC-Web and gRPC answered Connect JSON 7% slower than one that had served JSON only,
 * full and empty chain alike: docs/performance.md), so the two must have the same history
 * for their ratio to measure the chain alone.
 */
export const roundOrder: readonly string[] = [
  "connect-node-json-h1",
  "raw-http1-json",
  "template-json-h1",
  "template-empty-json-h1",
  "template-empty-proto-h2c",
  "template-proto-h2c",
  "raw-http2-proto",
  "template-grpc-web-h2c",
  "template-empty-grpc-web-h2c",
  "template-empty-grpc-h2c",
  "template-grpc-h2c",
  "grpc-js-grpc-h2c",
  "connect-node-grpc-h2c",
];

/** Round `run`'s order (measured from 1, warm-up at 0 and below): roundOrder, backwards on even rounds. */
export function orderOfRound(run: number): readonly string[] {
  return run % 2 === 0 ? [...roundOrder].reverse() : roundOrder;
}

/** Full chain row -> the same request without the chain: chain cost = 1 - full / empty. */
export const chainCostPairs: readonly [full: string, empty: string][] = [
  ["template-json-h1", "template-empty-json-h1"],
  ["template-grpc-h2c", "template-empty-grpc-h2c"],
];

/** The most the interceptor chain may cost. */
export const chainCostTarget = 0.1;
