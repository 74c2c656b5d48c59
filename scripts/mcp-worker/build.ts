import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Plugin } from "esbuild";

const root = new URL("../../", import.meta.url);

/** The prebuilt ES module the Worker imports on its first /mcp request (wrangler.toml uploads it as is). */
export const mcpWorkerChunk = fileURLToPath(new URL("src/gen/mcp-worker.js", root));

/**
 * The SDK's Server imports Ajv as its default JSON Schema validator even when given
 * another one (src/mcp/handle-mcp-request.ts gives its own): Ajv compiles schemas with
 * `new Function`, which workerd refuses, and is ~35 KiB gzip. The chunk gets a stub.
 */
const withoutAjv: Plugin = {
  name: "without-ajv",
  setup(build) {
    build.onResolve({ filter: /validation\/ajv-provider\.js$/ }, () => ({ path: "ajv-provider", namespace: "without-ajv" }));
    build.onLoad({ filter: /.*/, namespace: "without-ajv" }, () => ({
      contents: `export class AjvJsonSchemaValidator { getValidator() { throw new Error("no JSON Schema validator in this build"); } }`,
      loader: "js",
    }));
  },
};

/**
 * Bundles src/mcp/handle-mcp-request.ts (the MCP SDK, zod, the generated tools) into one
 * ES module for workerd. The Worker's main module does not contain it: wrangler uploads it
 * as an additional module, evaluated only when the first /mcp request imports it, so the
 * SDK costs the Worker's startup and size budget nothing (docs/performance-worker.md).
 */
export async function buildMcpWorkerChunk(outfile = mcpWorkerChunk): Promise<void> {
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL("src/mcp/handle-mcp-request.ts", root))],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    // What wrangler resolves with: workerd's conditions, then browser builds.
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    minify: true,
    legalComments: "none",
    logLevel: "error",
    plugins: [withoutAjv],
    // Generated: the type checks (allowJs) read its .d.ts, not its minified code.
    banner: { js: "// @ts-nocheck" },
  });
  // Its types are those of the module it was built from.
  writeFileSync(outfile.replace(/\.js$/, ".d.ts"), 'export * from "../mcp/handle-mcp-request.ts";\n');
}
