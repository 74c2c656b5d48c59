// `npm start`: V8's code cache on, then the server from its bundle (rebuilt first when
// a source changed since; loaded by bundle-loader.cjs), or from the sources when esbuild
// is not installed. Plain CommonJS, like bundle-freshness.cjs: loading TypeScript support
// would cost ~40 ms, and an ES module entry ~8 ms more than this (the ES module loader,
// and node:fs's namespace, which loads its streams).
const module_ = require("node:module");
const { isBundleCurrent, serverBundle } = require("./bundle-freshness.cjs");
const { loadBundle } = require("./bundle-loader.cjs");

module_.enableCompileCache?.();

async function start() {
  // One look at the sources' times (a walk of src/, ~6 ms here): a bundle just built is current.
  let current = isBundleCurrent();
  if (!current) {
    try {
      const { buildServerBundle } = await import("./server-bundle.ts");
      await buildServerBundle();
      current = true;
    } catch (error) {
      const missing = /** @type {NodeJS.ErrnoException} */ (error).code === "ERR_MODULE_NOT_FOUND";
      if (!missing) console.error(`could not bundle the server, running its sources: ${String(error)}`);
    }
  }
  if (current) loadBundle(serverBundle);
  else await import("./main.ts");
}

start().catch((error) => {
  console.error(`failed to start: ${String(error)}`);
  process.exit(1);
});
