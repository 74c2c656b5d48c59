import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Plugin } from "esbuild";

const root = new URL("../../", import.meta.url);
const rootDir = fileURLToPath(root);

/**
 * A prebuilt ES module the Worker imports on demand: uploaded as is beside the main
 * module (wrangler.toml `rules`, base_dir `src/`), evaluated only when first imported, so
 * what it holds costs the main module's size and the isolate's startup nothing
 * (docs/performance-worker.md).
 */
interface WorkerChunk {
  /** The module it is built from, from the project root. */
  entry: string;
  /** Where it is written, under src/gen/ (its name in the Worker is relative to src/). */
  outfile: string;
  plugins?: Plugin[];
}

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

/** The MCP server (the SDK, zod, the generated tools): imported on the first /mcp request (src/runtime/worker/mcp.ts). */
const mcpChunk: WorkerChunk = {
  entry: "src/mcp/handle-mcp-request.ts",
  outfile: "src/gen/mcp-worker.js",
  plugins: [withoutAjv],
};

/** otel-cf-workers and the OpenTelemetry SDK: imported on the first request when an OTLP endpoint is set (src/runtime/worker/tracing.ts). */
const traceExportChunk: WorkerChunk = {
  entry: "src/runtime/worker/trace-export.ts",
  outfile: "src/gen/trace-export-worker.js",
};

const workerChunks = [mcpChunk, traceExportChunk];

/** wrangler.toml's [alias] table (`"package" = "path"` lines), which the main module is bundled with. */
function wranglerAliases(): Record<string, string> {
  const toml = readFileSync(new URL("wrangler.toml", root), "utf8");
  const table = toml.split(/^\[alias\]\s*$/m)[1]?.split(/^\[/m)[0] ?? "";
  return Object.fromEntries([...table.matchAll(/^"([^"]+)"\s*=\s*"([^"]+)"/gm)].map((m) => [m[1], m[2]]));
}

/**
 * Resolves an import named exactly as in wrangler.toml's [alias] as wrangler does (from
 * the project root), so a chunk gets the same builds of shared packages as the main module.
 */
function wranglerAlias(): Plugin {
  const aliases = wranglerAliases();
  const require = createRequire(new URL("package.json", root));
  const names = Object.keys(aliases).map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
  return {
    name: "wrangler-alias",
    setup(build) {
      if (names.length === 0) return;
      build.onResolve({ filter: new RegExp(`^(${names.join("|")})$`) }, (args) => ({
        path: require.resolve(aliases[args.path] as string, { paths: [rootDir] }),
      }));
    },
  };
}

/** Bundles one chunk into an ES module for workerd, as wrangler would have bundled it into the main module. */
async function buildWorkerChunk(chunk: WorkerChunk): Promise<string> {
  const esbuild = await import("esbuild");
  const outfile = fileURLToPath(new URL(chunk.outfile, root));
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL(chunk.entry, root))],
    outfile,
    bundle: true,
    format: "esm",
    // What wrangler bundles with: esbuild's browser platform (package.json "browser"
    // fields) and workerd's conditions first.
    platform: "browser",
    target: "es2024",
    conditions: ["workerd", "worker", "browser"],
    define: { "process.env.NODE_ENV": '"production"' },
    // workerd's own modules (nodejs_compat).
    external: ["node:*", "cloudflare:*"],
    minify: true,
    legalComments: "none",
    logLevel: "error",
    plugins: [wranglerAlias(), ...(chunk.plugins ?? [])],
    // Generated: the type checks (allowJs) read its .d.ts, not its minified code.
    banner: { js: "// @ts-nocheck" },
  });
  // Its types are those of the module it was built from.
  writeFileSync(outfile.replace(/\.js$/, ".d.ts"), `export * from "../${chunk.entry.replace(/^src\//, "")}";\n`);
  return outfile;
}

/** Builds every chunk into src/gen/. */
export async function buildWorkerChunks(): Promise<string[]> {
  return Promise.all(workerChunks.map((chunk) => buildWorkerChunk(chunk)));
}
