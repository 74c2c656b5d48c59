// Plain CommonJS on purpose: `npm start` (start.cjs) runs this before anything else; the
// first TypeScript file a Node process loads costs it ~40 ms of setting up type stripping.
const { readdirSync, statSync } = require("node:fs");
const { join } = require("node:path");
const { bundleFileName } = require("./bundle-loader.cjs");

/** The project root: this file sits in src/runtime/node/. */
const projectRoot = join(__dirname, "../../../");

/**
 * The server bundle `npm start` loads. It sits three folders below the project root, as
 * src/runtime/node/ does, so paths the sources derive from `import.meta.url`
 * (migrations/, web/dist/) resolve the same from either.
 */
const serverBundle = join(projectRoot, "dist/node/server", bundleFileName);

/**
 * Newest modification time of what the bundle is built from: sources, generated code,
 * installed packages and the patches patch-package applies to them on install (a new or
 * changed patch means patched files in node_modules that the lock file does not date).
 * @param {string} root
 * @returns {number}
 */
function newestInput(root) {
  let newest = 0;
  const sources = join(root, "src");
  for (const file of readdirSync(sources, { recursive: true, encoding: "utf8" })) {
    if (/\.(ts|mjs|cjs)$/.test(file)) newest = Math.max(newest, statSync(join(sources, file)).mtimeMs);
  }
  try {
    for (const patch of readdirSync(join(root, "patches"))) newest = Math.max(newest, statSync(join(root, "patches", patch)).mtimeMs);
  } catch {
    // no patches/
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

/**
 * True when the bundle exists and is newer than everything it is built from (under `root`).
 * @param {string} [bundle]
 * @param {string} [root]
 * @returns {boolean}
 */
function isBundleCurrent(bundle = serverBundle, root = projectRoot) {
  try {
    return statSync(bundle).mtimeMs >= newestInput(root);
  } catch {
    return false;
  }
}

module.exports = { projectRoot, serverBundle, isBundleCurrent };
