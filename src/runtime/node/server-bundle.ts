import { renameSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { projectRoot, serverBundle } from "./bundle-freshness.mjs";

/**
 * `npm start` loads the server from one prebuilt ES module instead of ~150 TypeScript
 * files and their packages: resolving, reading and type-stripping them was most of a
 * ~900 ms cold start. Where it lives and when it is stale: bundle-freshness.mjs.
 */
const entry = join(projectRoot, "src/runtime/node/main.ts");

/**
 * Imports a package makes only inside a try, doing without them when absent: pg loads its
 * libpq binding (`pg-native`) only if asked for (NODE_PG_FORCE_NATIVE, `pg.native`).
 */
const optional = new Set(["pg-native"]);

/**
 * Builds the bundle with esbuild (a devDependency: a production install without it runs
 * the sources). Written to a temporary file and renamed, so concurrent starts never
 * load half a file. Identifiers are kept, so stack traces in logs stay readable.
 * `outfile` must sit three folders below a root holding migrations/ and web/dist/ (see
 * bundle-freshness.mjs). Resolves to the imports esbuild left outside the bundle other
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
    format: "esm",
    target: "node22",
    // ES module builds where packages ship them: tree-shaken, unlike their CommonJS builds.
    mainFields: ["module", "main"],
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    logLevel: "error",
    metafile: true,
    // CommonJS packages inside an ES module bundle still call require().
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  });
  renameSync(temporary, outfile);
  const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports);
  return [...new Set(imports.filter((i) => i.external && !isBuiltin(i.path) && !optional.has(i.path)).map((i) => i.path))].sort();
}
