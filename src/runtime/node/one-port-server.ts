import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { connectNodeAdapter } from "@connectrpc/connect-node";

/** Every HTTP/2 connection without TLS ("prior knowledge") starts with these bytes. */
const h2Preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/** A connection that sends nothing for this long is dropped before it is classified. */
const firstBytesTimeoutMs = 10_000;

export interface OnePortServer {
  /** The address actually bound (port 0 resolves to an ephemeral port). */
  readonly address: net.AddressInfo;
  /**
   * Stops accepting connections, lets in-flight requests finish for up to `graceMs`,
   * then cuts whatever is left.
   */
  close(graceMs: number): Promise<void>;
}

/**
 * Serves one handler to HTTP/1.1 and cleartext HTTP/2 (h2c prior knowledge) on one port.
 *
 * Node's h2c server rejects HTTP/1.1 and `allowHTTP1` needs TLS, so a plain TCP server
 * reads the first bytes of each connection and hands the socket to the right server.
 * The bytes are pushed back with `unshift`: node:http reads them from the stream buffer,
 * and node:http2 feeds a session whatever is already buffered before it reads the socket
 * natively, so neither protocol pays for a JavaScript stream wrapper afterwards.
 */
export function listenOnePort(
  handler: ReturnType<typeof connectNodeAdapter>,
  options: { host: string; port: number },
): Promise<OnePortServer> {
  const h1 = http.createServer(handler);
  const h2 = http2.createServer(handler);
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  const tcp = net.createServer((socket) => routeConnection(socket, h1, h2));

  return new Promise((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(options.port, options.host, () => {
      tcp.off("error", reject);
      resolve({
        address: tcp.address() as net.AddressInfo,
        close: (graceMs) => closeGracefully(tcp, h1, sessions, graceMs),
      });
    });
  });
}

function routeConnection(socket: net.Socket, h1: http.Server, h2: http2.Http2Server): void {
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
      h2.emit("connection", socket);
    } else {
      h1.emit("connection", socket);
      socket.resume();
    }
  };
  socket.on("error", onError);
  socket.setTimeout(firstBytesTimeoutMs, () => socket.destroy());
  socket.on("data", onData);
}

async function closeGracefully(
  tcp: net.Server,
  h1: http.Server,
  sessions: Set<http2.ServerHttp2Session>,
  graceMs: number,
): Promise<void> {
  // The TCP server owns every socket, so its close callback means all connections ended.
  const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
  h1.closeIdleConnections();
  for (const session of sessions) {
    session.close(); // GOAWAY: open streams finish, no new ones start
  }
  const deadline = setTimeout(() => {
    h1.closeAllConnections();
    for (const session of sessions) {
      session.destroy();
    }
  }, graceMs);
  await closed;
  clearTimeout(deadline);
}
