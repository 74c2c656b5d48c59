import http from "node:http";
import type { AddressInfo } from "node:net";
import { serveStatic, webRoot } from "../../src/runtime/node/static-files.ts";

/** The built page served from another origin (another port), to call the API cross-origin. */
export async function startStaticOrigin() {
  const server = http.createServer(serveStatic(webRoot));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
