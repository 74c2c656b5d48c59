import { exports } from "cloudflare:workers";

/** The Worker's own fetch handler, running in workerd; the host name is arbitrary. */
export const workerOrigin = "http://worker.test";

export function workerFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  // connect-web asks for redirect "error", which workerd's Request rejects.
  return exports.default.fetch(new Request(input, { ...init, redirect: "manual" }));
}
