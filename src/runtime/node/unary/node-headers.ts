import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

/**
 * Appends Node request headers to fetch Headers, HTTP/2 pseudo-headers left out (as
 * connect-node does). Into the handler context's own (empty) Headers: undici's Headers
 * constructor converts every [name, value] pair of an init through WebIDL, about twice
 * the time and five times the garbage of appending the same headers (docs/performance.md).
 */
export function appendNodeHeaders(into: Headers, nodeHeaders: IncomingHttpHeaders): Headers {
  for (const key in nodeHeaders) {
    if (key.charCodeAt(0) === 58 /* ":" */) continue;
    const value = nodeHeaders[key];
    if (value === undefined) continue;
    if (typeof value === "string") into.append(key, value);
    else for (const item of value) into.append(key, item);
  }
  return into;
}

/** Adds fetch Headers to a Node header object (repeated names become arrays). */
export function addNodeHeaders(into: OutgoingHttpHeaders, headers: Headers): OutgoingHttpHeaders {
  headers.forEach((value, key) => {
    const existing = into[key];
    if (existing === undefined) into[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else into[key] = [String(existing), value];
  });
  return into;
}
