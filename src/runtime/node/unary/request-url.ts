/** URLs by scheme, authority, then path: a server sees few of each (its methods, its host names). */
const urls = { http: new Map<string, Map<string, string>>(), https: new Map<string, Map<string, string>>() };
/** Entries kept before the cache starts over: bounds what clients can make it hold. */
const maxUrls = 1024;
let cached = 0;

/**
 * The request URL as connect-node builds it (`new URL(path, scheme://authority)`), for the
 * handler context. Parsing a URL on every call cost more than a microsecond (more than
 * the rest of building the context), so results are kept by authority and path; a path
 * with a query (unique per call, for Connect GET) is parsed every time.
 */
export function requestUrl(scheme: "http" | "https", authority: string, path: string): string {
  if (path.includes("?")) return new URL(path, `${scheme}://${authority}`).toString();
  const byAuthority = urls[scheme];
  let byPath = byAuthority.get(authority);
  let url = byPath?.get(path);
  if (url === undefined) {
    url = new URL(path, `${scheme}://${authority}`).toString();
    if (cached >= maxUrls) {
      urls.http.clear();
      urls.https.clear();
      cached = 0;
      byPath = undefined;
    }
    if (!byPath) {
      byPath = new Map();
      byAuthority.set(authority, byPath);
    }
    byPath.set(path, url);
    cached++;
  }
  return url;
}
