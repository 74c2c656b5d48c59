import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { projectRoot, serverBundle } from "../../src/runtime/node/bundle-freshness.cjs";
import { nodeFlags } from "../../src/runtime/node/node-flags.mjs";
import { buildServerBundle, bundleEntryName } from "../../src/runtime/node/server-bundle.ts";
import { type ProjectManifest, productionPackage } from "./production-package.ts";

/**
 * `npm run build:node [OUTDIR]` (default dist/node-app): a folder that runs on its own
 * with Node and nothing else, what the Dockerfile's runtime stage copies:
 *
 *   dist/node/server/main.cjs   the server bundle (esbuild, every package inlined)
 *   dist/node/server/start.cjs  its entry: loads it with a V8 code cache (bundle-loader.cjs)
 *   migrations/                 applied at start (SQLite)
 *   migrations-postgres/        applied at start when DATABASE_URL is set (docs/postgres.md)
 *   web/dist/                   the page served at /
 *   package.json                `npm start`; dependencies only if the bundle left any out
 *
 * The bundle keeps its place three folders below the root, as in the project, because the
 * sources find migrations/ and web/dist/ from `import.meta.url` (bundle-freshness.cjs).
 */
export const bundlePath = relative(projectRoot, serverBundle);

/** What the package's `npm start` and the image's CMD run: the loader beside the bundle. */
export const entryPath = join(dirname(bundlePath), bundleEntryName);

/** Builds the folder into `outDir` (replaced whole, only if it is empty or an earlier build). */
export async function buildNodeApp(outDir: string): Promise<{ external: string[] }> {
  const out = resolve(outDir);
  refuseUnsafeTarget(out);
  if (!existsSync(join(projectRoot, "src/gen"))) {
    throw new Error("src/gen/ is missing: run `npm run generate` (npm install runs it) first");
  }
  // Built beside the target and renamed at the end: a failed build leaves the last one.
  const staging = `${out}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  try {
    const external = await buildServerBundle(join(staging, bundlePath));
    cpSync(join(projectRoot, "migrations"), join(staging, "migrations"), { recursive: true });
    cpSync(join(projectRoot, "migrations-postgres"), join(staging, "migrations-postgres"), { recursive: true });
    await buildWebPage(join(staging, "web/dist"));
    const project = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as ProjectManifest;
    const manifest = productionPackage(project, external, ["node", ...nodeFlags, entryPath].join(" "));
    writeFileSync(join(staging, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(out, { recursive: true, force: true });
    renameSync(staging, out);
    return { external };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** The page, built by Vite straight into the folder (the project's own web/dist is left alone). */
async function buildWebPage(outDir: string): Promise<void> {
  const { build } = await import("vite");
  await build({
    configFile: join(projectRoot, "web/vite.config.ts"),
    build: { outDir, emptyOutDir: true },
    logLevel: "warn",
  });
}

/** The folder is deleted before it is written: never the project, its parents, or a stranger's files. */
function refuseUnsafeTarget(out: string): void {
  const root = resolve(projectRoot);
  if (out === root || root.startsWith(out + sep) || out === dirname(out)) {
    throw new Error(`refusing to build into ${out}: it holds the project`);
  }
  const entries = existsSync(out) ? (statSync(out).isDirectory() ? readdirSync(out) : ["(a file)"]) : [];
  if (entries.length > 0 && !existsSync(join(out, bundlePath))) {
    throw new Error(`refusing to replace ${out}: it is neither empty nor an earlier build:node output`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outDir = process.argv[2] ?? "dist/node-app";
  try {
    const started = performance.now();
    const { external } = await buildNodeApp(outDir);
    const bytes = statSync(join(resolve(outDir), bundlePath)).size;
    console.log(
      `${resolve(outDir)}: ${bundlePath} (${(bytes / 1024).toFixed(0)} KiB), ${entryPath}, migrations/, migrations-postgres/, web/dist/, package.json`,
    );
    console.log(
      external.length === 0
        ? "run-time imports outside the bundle: Node built-ins only (no npm install needed)"
        : `run-time packages: ${external.join(", ")} (run npm install --omit=dev there)`,
    );
    console.log(`start it with Node 26: cd ${outDir} && npm start   (built in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    console.error(`build:node failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
