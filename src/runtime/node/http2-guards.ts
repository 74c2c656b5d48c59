import http2, { type ServerHttp2Session, type ServerHttp2Stream } from "node:http2";
import { type ServerLimits, controlFrameLimit } from "./server-limits.ts";

const { NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_FLAG_END_STREAM, NGHTTP2_NO_ERROR, NGHTTP2_CANCEL } = http2.constants;

/** How long an idle session told to go away (GOAWAY) may take to hang up before it is cut. */
const goAwayGraceMs = 1000;

/**
 * Limits Node does not enforce on an HTTP/2 session: each stream's request must have
 * arrived within `requestTimeoutMs`; the session is closed (GOAWAY) once it has had no
 * open stream for `idleTimeoutMs`, which also ends a client that trickles the headers of
 * a stream that never opens; and it is ended (GOAWAY ENHANCE_YOUR_CALM) when the client
 * floods PING or SETTINGS frames. Per stream: a counter, a timer, one close listener.
 */
export function guardHttp2Session(session: ServerHttp2Session, limits: ServerLimits): void {
  let open = 0;
  let idleSince = performance.now();
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const checkIdle = () => {
    if (session.closed || session.destroyed) return;
    const idleMs = open === 0 ? performance.now() - idleSince : 0;
    if (idleMs >= limits.idleTimeoutMs) {
      session.close();
      // close() also waits for a stream whose headers never ended, which never opens: a
      // client trickling headers. With no open stream there is nothing left to finish.
      idleTimer = setTimeout(() => open === 0 && session.destroy(), goAwayGraceMs);
      return;
    }
    idleTimer = setTimeout(checkIdle, limits.idleTimeoutMs - idleMs);
  };
  idleTimer = setTimeout(checkIdle, limits.idleTimeoutMs);
  session.on("stream", (stream: ServerHttp2Stream, _headers: unknown, flags: number) => {
    open++;
    // A request that ended with its headers cannot trickle: no timer.
    const timer = flags & NGHTTP2_FLAG_END_STREAM ? undefined : setTimeout(cutTrickledRequest, limits.requestTimeoutMs, stream);
    // on, not once: a stream closes once, and once would wrap the listener on every stream.
    stream.on("close", () => {
      clearTimeout(timer);
      if (--open === 0) idleSince = performance.now();
    });
  });
  let windowStart = performance.now();
  let frames = 0;
  const countControlFrame = () => {
    const now = performance.now();
    if (now - windowStart > controlFrameLimit.windowMs) {
      windowStart = now;
      frames = 0;
    }
    if (++frames !== controlFrameLimit.frames + 1) return;
    // goaway() queues the frame; destroying at once would drop it (the client would see NO_ERROR).
    session.goaway(NGHTTP2_ENHANCE_YOUR_CALM);
    setImmediate(() => session.destroy());
  };
  session.on("ping", countControlFrame);
  session.on("remoteSettings", countControlFrame);
  session.once("close", () => clearTimeout(idleTimer));
}

/**
 * Cuts a stream whose request has not fully arrived within the request timeout (a
 * trickled body), as node:http's requestTimeout does for HTTP/1.1: 408 when no response
 * has started, else RST_STREAM CANCEL.
 */
function cutTrickledRequest(stream: ServerHttp2Stream): void {
  // remoteClose: the client's END_STREAM arrived, whether or not the handler has read the body yet.
  if (stream.closed || stream.destroyed || stream.state.remoteClose) return;
  if (stream.headersSent) {
    stream.close(NGHTTP2_CANCEL);
    return;
  }
  stream.respond({ ":status": 408 }, { endStream: true });
  stream.close(NGHTTP2_NO_ERROR);
}
