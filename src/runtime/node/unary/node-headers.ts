import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

/** Node request headers as fetch Headers, HTTP/2 pseudo-headers left out (as connect-node does). */
export function toWebHeaders(nodeHeaders: IncomingHttpHeaders): Headers {
  const header = new Headers();
  for (const key in nodeHeaders) {
    if (key.charCodeAt(0) === 58 /* ":" */) continue;
    const value = nodeHeaders[key];
    if (value === undefined) continue;
    if (typeof value === "string") header.append(key, value);
    else for (const item of value) header.append(key, item);
  }
  return header;
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
