import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/**
 * `npm run size:client`: bundles scripts/client-size/entry.ts (one service, one RPC, the
 * Connect transport, a bearer token) for browsers, minified, and prints its size and gzip
 * size in bytes.
 */
export async function measureClientBundle(): Promise<{ bytes: number; gzipBytes: number }> {
  const result = await build({
    entryPoints: [new URL("./entry.ts", import.meta.url).pathname],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { bytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { bytes, gzipBytes } = await measureClientBundle();
  console.log(
    `UserService client, one RPC, Connect transport, bearer token: ${(bytes / 1024).toFixed(1)} KiB minified, ${(gzipBytes / 1024).toFixed(1)} KiB gzipped`,
  );
}
