import { createReadStream, statSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { extname, join, normalize, relative, sep } from "node:path";
import type { NodeHandler } from "./one-port-server.ts";

/** The built web page (`npm run build:web`). */
export const webRoot = new URL("../../../web/dist/", import.meta.url).pathname;

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Serves the files under `root` for GET/HEAD requests no RPC route took (connect's
 * fallback): a path ending in `/` is its folder's index.html, and a folder named
 * without the slash redirects to it (`/docs` to `/docs/`, as Workers static assets do);
 * Vite's content-hashed assets are cached for a year, everything else revalidated.
 * Paths cannot leave `root`; anything else is a 404.
 */
export function serveStatic(root: string): NodeHandler {
  return (req, res) => {
    const response = res as ServerResponse;
    const path = decodePath(req.url ?? "/");
    if (path === undefined) {
      // A request listener that throws takes the whole process down: answer instead.
      response.writeHead(400, { "content-type": "text/plain; charset=utf-8" }).end("malformed path\n");
      return;
    }
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    const method = req.method ?? "GET";
    let size = -1;
    if ((method === "GET" || method === "HEAD") && file.startsWith(root.endsWith(sep) ? root : root + sep)) {
      try {
        const stat = statSync(file);
        if (stat.isFile()) size = stat.size;
        else if (stat.isDirectory() && statSync(join(file, "index.html")).isFile()) {
          // Built from the file path, not the request's: "//host" must not become a redirect elsewhere.
          const location = `/${relative(root, file).split(sep).map(encodeURIComponent).join("/")}/`;
          response.writeHead(307, { location, "content-type": "text/plain; charset=utf-8" }).end();
          return;
        }
      } catch {
        // missing: 404 below
      }
    }
    if (size < 0) {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    response.writeHead(200, {
      "content-type": contentTypes[extname(file)] ?? "application/octet-stream",
      "content-length": String(size),
      "cache-control": path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
    });
    if (method === "HEAD") response.end();
    else createReadStream(file).pipe(response);
  };
}

/** The decoded path of a request URL, or undefined when its percent-encoding is malformed. */
function decodePath(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url, "http://x").pathname);
  } catch {
    return undefined;
  }
}
