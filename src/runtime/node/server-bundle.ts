import { copyFileSync, renameSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join } from "node:path";
import { projectRoot, serverBundle } from "./bundle-freshness.cjs";

/**
 * `npm start` loads the server from one prebuilt CommonJS file instead of ~150 TypeScript
 * files and their packages: resolving, reading and type-stripping them was most of a
 * ~900 ms cold start. Where it lives and when it is stale: bundle-freshness.cjs; how it
 * is loaded: bundle-loader.cjs, copied beside it as start.cjs, the production entry.
 */
const entry = join(projectRoot, "src/runtime/node/main.ts");
const loader = join(projectRoot, "src/runtime/node/bundle-loader.cjs");

/** The copy of bundle-loader.cjs written beside the bundle: the production package's entry. */
export const bundleEntryName = "start.cjs";

/**
 * Imports a package makes only inside a try, doing without them when absent: pg loads its
 * libpq binding (`pg-native`) only if asked for (NODE_PG_FORCE_NATIVE, `pg.native`).
 */
const optional = new Set(["pg-native"]);

/**
 * Builds the bundle with esbuild (a devDependency: a production install without it runs
 * the sources), and writes bundle-loader.cjs beside it as start.cjs. Written to a
 * temporary file and renamed, so concurrent starts never load half a file. Identifiers
 * are kept, so stack traces in logs stay readable.
 * `outfile` must sit three folders below a root holding migrations/ and web/dist/ (see
 * bundle-freshness.cjs). Resolves to the imports esbuild left outside the bundle other
 * than Node built-ins: packages a deployment of the bundle alone would have to install.
 */
export async function buildServerBundle(outfile = serverBundle): Promise<string[]> {
  const esbuild = await import("esbuild");
  const temporary = `${outfile}.${process.pid}.tmp`;
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: temporary,
    bundle: true,
    platform: "node",
    // CommonJS, not an ES module: bundle-loader.cjs compiles it with a code cache made
    // after the server has run (no API does that for an ES module), and its imports of
    // Node built-ins become require() calls, which do not build an ES module namespace
    // of each (node:http's loads undici, node:fs's its streams). ~15 ms of a start here.
    format: "cjs",
    target: "node22",
    // ES module builds where packages ship them: tree-shaken, unlike their CommonJS builds.
    mainFields: ["module", "main"],
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    logLevel: "error",
    metafile: true,
    // The sources find migrations/ and web/dist/ from import.meta.url, which CommonJS lacks.
    define: { "import.meta.url": "__bundleUrl" },
    banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
  renameSync(temporary, outfile);
  copyFileSync(loader, join(dirname(outfile), bundleEntryName));
  const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports);
  return [...new Set(imports.filter((i) => i.external && !isBuiltin(i.path) && !optional.has(i.path)).map((i) => i.path))].sort();
}
