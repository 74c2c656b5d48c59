import http from "node:http";
import http2 from "node:http2";
import type net from "node:net";
import type { connectNodeAdapter } from "@connectrpc/connect-node";
import type { Http1Listener } from "./unary/http1-unary.ts";
import type { Http2StreamListener } from "./unary/http2-unary.ts";
import { guardHttp2Session } from "./http2-guards.ts";
import { type ServerLimits, defaultServerLimits, firstBytesTimeoutMs, http1Options, http2Options } from "./server-limits.ts";

/** Every HTTP/2 connection without TLS ("prior knowledge") starts with these bytes. */
const h2Preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/** A request listener for node:http and node:http2 alike, as connectNodeAdapter returns. */
export type NodeHandler = ReturnType<typeof connectNodeAdapter>;

/** What serves each HTTP version: a node:http listener, and a node:http2 core API stream listener. */
export interface ServerListeners {
  http1: Http1Listener;
  http2: Http2StreamListener;
}

export interface OnePortServer {
  /** The address actually bound (port 0 resolves to an ephemeral port). */
  readonly address: net.AddressInfo;
  /**
   * Stops accepting connections, lets in-flight requests finish for up to `graceMs`,
   * then cuts whatever is left. See CloseOptions for the server's calls to itself.
   */
  close(graceMs: number, options?: CloseOptions): Promise<void>;
}

/**
 * The server's own client connections to itself (OrderService calls UserService on this
 * port) must stay usable while the calls that need them drain: a GOAWAY would make the
 * client open a new connection, which a closing server refuses.
 */
export interface CloseOptions {
  /** Whether a connection, by its remote port, is one of this process's own clients. */
  isOwnClient?: (remotePort: number) => boolean;
  /** Called once every other connection has ended: closes those own clients. */
  closeOwnClients?: () => void;
}

/**
 * Serves HTTP/1.1 and cleartext HTTP/2 (h2c prior knowledge) on one port.
 *
 * Node's h2c server rejects HTTP/1.1 and `allowHTTP1` needs TLS. So the HTTP/1.1 server
 * listens (keeping its own connection tracking, header/request timeouts and graceful
 * close), but its connection listener is wrapped: the first bytes of each connection
 * pick the protocol. The bytes are pushed back with `unshift`: node:http reads them from
 * the stream buffer, and node:http2 feeds a new session whatever is already buffered
 * before it reads the socket natively, so neither protocol pays for a JavaScript stream
 * wrapper afterwards.
 */
export function listenOnePort(
  listeners: ServerListeners,
  options: { host: string; port: number } & Partial<ServerLimits>,
): Promise<OnePortServer> {
  // Abuse limits (server-limits.ts): node:http's timeouts and header size here, the HTTP/2
  // stream limits on the HTTP/2 server, and per session what Node lacks (http2-guards.ts).
  const limits: ServerLimits = {
    requestTimeoutMs: options.requestTimeoutMs ?? defaultServerLimits.requestTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? defaultServerLimits.idleTimeoutMs,
  };
  const h1 = http.createServer(http1Options(limits), listeners.http1);
  // No "request" listener: streams arrive on the core API, without compatibility objects.
  const h2 = http2.createServer(http2Options);
  h2.on("stream", listeners.http2);
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (session) => {
    guardHttp2Session(session, limits);
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  const [serveHttp1] = h1.listeners("connection") as ((socket: net.Socket) => void)[];
  if (!serveHttp1) {
    throw new Error("node:http server has no connection listener to wrap");
  }
  h1.removeAllListeners("connection");
  // Per connection, not per request: what shutdown waits for.
  const connections = new Set<net.Socket>();
  h1.on("connection", (socket: net.Socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
    routeConnection(
      socket,
      (s) => serveHttp1.call(h1, s),
      (s) => h2.emit("connection", s),
    );
  });

  return new Promise((resolve, reject) => {
    h1.once("error", reject);
    h1.listen(options.port, options.host, () => {
      h1.off("error", reject);
      resolve({
        address: h1.address() as net.AddressInfo,
        close: (graceMs, closeOptions = {}) => closeGracefully({ h1, sessions, connections }, graceMs, closeOptions),
      });
    });
  });
}

type ServeSocket = (socket: net.Socket) => void;

function routeConnection(socket: net.Socket, serveHttp1: ServeSocket, serveHttp2: ServeSocket): void {
  let head: Buffer = Buffer.alloc(0);
  const onError = () => socket.destroy();
  const onData = (chunk: Buffer) => {
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const n = Math.min(head.length, h2Preface.length);
    const looksLikeH2 = head.subarray(0, n).equals(h2Preface.subarray(0, n));
    if (looksLikeH2 && head.length < h2Preface.length) {
      return; // a partial preface: wait for the rest
    }
    socket.off("data", onData);
    socket.off("error", onError);
    socket.setTimeout(0);
    socket.pause();
    socket.unshift(head);
    if (looksLikeH2) {
      serveHttp2(socket);
    } else {
      serveHttp1(socket);
      socket.resume();
    }
  };
  socket.on("error", onError);
  socket.setTimeout(firstBytesTimeoutMs, () => socket.destroy());
  socket.on("data", onData);
}

/** How often a closing server looks for connections that went idle and for the end of the drain. */
const drainPollMs = 50;

async function closeGracefully(
  server: { h1: http.Server; sessions: Set<http2.ServerHttp2Session>; connections: Set<net.Socket> },
  graceMs: number,
  options: CloseOptions,
): Promise<void> {
  const { h1, sessions, connections } = server;
  // A session being destroyed has no socket any more.
  const isOwn = (socket: net.Socket | undefined) => options.isOwnClient?.(socket?.remotePort ?? -1) ?? false;
  // h1 owns the listening socket and so every connection, HTTP/2 ones included: close()
  // stops accepting at once and calls back once all of them have ended.
  const closed = new Promise<void>((resolve) => h1.close(() => resolve()));
  const goAway = (own: boolean) => {
    for (const session of sessions) {
      const socket = session.socket as unknown as net.Socket;
      if (isOwn(socket) === own) session.close(); // GOAWAY: open streams finish, no new ones start
    }
  };
  goAway(false);
  let cut = false;
  const deadline = setTimeout(() => {
    cut = true;
    h1.closeAllConnections();
    for (const session of sessions) session.destroy();
    // HTTP/2 sockets are not node:http's to close, and a session may be gone already.
    for (const socket of connections) socket.destroy();
  }, graceMs);
  // HTTP/1.1 keep-alive connections go idle one by one as their last response ends:
  // close each as soon as it does, until only the server's own clients are left. A socket
  // this side has already ended (an HTTP/2 session closed while its client keeps its half
  // open) has nothing left to drain: destroy it rather than wait for the client.
  while (!cut && [...connections].some((socket) => !isOwn(socket))) {
    h1.closeIdleConnections();
    for (const socket of connections) if (socket.writableEnded && !isOwn(socket)) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, drainPollMs));
  }
  options.closeOwnClients?.();
  goAway(true);
  await closed;
  clearTimeout(deadline);
}
