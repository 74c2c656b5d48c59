import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

/**
 * Node request headers as entries for fetch Headers, HTTP/2 pseudo-headers left out (as
 * connect-node does); entries rather than a Headers, which connect's handler context
 * copies anyway.
 */
export function webHeaderEntries(nodeHeaders: IncomingHttpHeaders): [string, string][] {
  const entries: [string, string][] = [];
  for (const key in nodeHeaders) {
    if (key.charCodeAt(0) === 58 /* ":" */) continue;
    const value = nodeHeaders[key];
    if (value === undefined) continue;
    if (typeof value === "string") entries.push([key, value]);
    else for (const item of value) entries.push([key, item]);
  }
  return entries;
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
