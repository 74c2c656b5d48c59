import type http from "node:http";
import type http2 from "node:http2";

/**
 * The Node server's abuse limits, in one place (docs/abuse-limits.md). one-port-server.ts
 * applies them; the two an operator may need to tune come from env (node-env.ts).
 */
export interface ServerLimits {
  /**
   * A request's headers and body must have arrived within this (REQUEST_TIMEOUT_MS), on
   * both HTTP versions: a trickled body (slowloris) cannot hold a connection or a stream.
   * 60 s lets a 4 MiB message (readMaxBytes) through a slow uplink.
   */
  requestTimeoutMs: number;
  /**
   * A connection with nothing in flight is closed after this (IDLE_TIMEOUT_MS): an
   * HTTP/1.1 keep-alive connection between requests, an HTTP/2 session with no open
   * stream (GOAWAY). Longer than a client's own idle timeout (undici: 4 s), so the client
   * is the one that closes and never sends on a connection the server is closing.
   */
  idleTimeoutMs: number;
}

export const defaultServerLimits: ServerLimits = { requestTimeoutMs: 60_000, idleTimeoutMs: 30_000 };

/** A connection that sends nothing at all is dropped before its protocol is known. */
export const firstBytesTimeoutMs = 10_000;

/** Request headers are small: an HTTP/1.1 client trickling them is cut (408) after this. */
const headersTimeoutMs = 10_000;

/**
 * How often node:http checks its connections against the header and request timeouts
 * (Node's default, 30 s, would let a timed-out request live 30 s longer). One pass over
 * the connection list in C++.
 */
const connectionsCheckingIntervalMs = 1_000;

/**
 * Request header bytes, both versions. HTTP/1.1: 431. HTTP/2: RST_STREAM ENHANCE_YOUR_CALM,
 * in force once the client has acknowledged the SETTINGS that announce it.
 */
export const maxHeaderBytes = 16 * 1024;

/** Open streams per HTTP/2 session (Node's default is unlimited); gRPC servers use 100. */
export const maxConcurrentStreams = 100;

/**
 * PING and SETTINGS frames a client may send per window before its session is closed
 * (GOAWAY ENHANCE_YOUR_CALM). Each one costs the server an ACK, and Node answers any
 * number while the client reads the ACKs; a real client's keepalive pings come seconds apart.
 */
export const controlFrameLimit = { frames: 100, windowMs: 10_000 };

/** node:http server options from the limits. */
export function http1Options(limits: ServerLimits): http.ServerOptions {
  return {
    maxHeaderSize: maxHeaderBytes,
    requestTimeout: limits.requestTimeoutMs,
    // node:http requires headersTimeout <= requestTimeout.
    headersTimeout: Math.min(headersTimeoutMs, limits.requestTimeoutMs),
    keepAliveTimeout: limits.idleTimeoutMs,
    connectionsCheckingInterval: connectionsCheckingIntervalMs,
  };
}

/** node:http2 server options; what Node leaves unlimited is bounded, its own defenses are stated. */
export const http2Options: http2.ServerOptions = {
  settings: { maxConcurrentStreams, maxHeaderListSize: maxHeaderBytes },
  // Rapid reset (CVE-2023-44487): nghttp2's limit on RST_STREAM frames received, a burst
  // of 1000 then 33 per second; over it the session ends (GOAWAY INTERNAL_ERROR). These
  // are Node's defaults, stated so a change of defaults cannot pass unnoticed.
  streamResetBurst: 1000,
  streamResetRate: 33,
  // Streams Node refuses itself (over maxSessionMemory, 10 MB); after this many the session
  // ends (Node's default). Streams over maxConcurrentStreams are refused by nghttp2, one by one.
  maxSessionRejectedStreams: 100,
  // Malformed frames tolerated per session before it ends (Node's default).
  maxSessionInvalidFrames: 1000,
};
