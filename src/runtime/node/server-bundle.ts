import { readdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * `npm start` loads the server from one prebuilt ES module instead of ~150 TypeScript
 * files and their packages: resolving, reading and type-stripping them was most of a
 * ~900 ms cold start. The bundle sits three folders below the project root, as
 * src/runtime/node/ does, so paths the sources derive from `import.meta.url`
 * (migrations/, web/dist/) resolve the same from either.
 */
const root = new URL("../../../", import.meta.url).pathname;
export const serverBundle = join(root, "dist/node/server/main.mjs");
const entry = join(root, "src/runtime/node/main.ts");

/** Newest modification time of what the bundle is built from: sources, generated code, installed packages. */
function newestInput(root: string): number {
  let newest = 0;
  const sources = join(root, "src");
  for (const file of readdirSync(sources, { recursive: true, encoding: "utf8" })) {
    if (file.endsWith(".ts")) newest = Math.max(newest, statSync(join(sources, file)).mtimeMs);
  }
  for (const manifest of ["package.json", "node_modules/.package-lock.json"]) {
    try {
      newest = Math.max(newest, statSync(join(root, manifest)).mtimeMs);
    } catch {
      // not installed this way: the sources decide
    }
  }
  return newest;
}

/** True when the bundle exists and is newer than everything it is built from (under `projectRoot`). */
export function isBundleCurrent(bundle = serverBundle, projectRoot = root): boolean {
  try {
    return statSync(bundle).mtimeMs >= newestInput(projectRoot);
  } catch {
    return false;
  }
}

/**
 * Builds the bundle with esbuild (a devDependency: a production install without it runs
 * the sources). Written to a temporary file and renamed, so concurrent starts never
 * load half a file. Identifiers are kept, so stack traces in logs stay readable.
 */
export async function buildServerBundle(): Promise<void> {
  const esbuild = await import("esbuild");
  const temporary = `${serverBundle}.${process.pid}.tmp`;
  await esbuild.build({
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
    // CommonJS packages inside an ES module bundle still call require().
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  });
  renameSync(temporary, serverBundle);
}
