// Plain CommonJS on purpose: `npm start` (start.cjs) loads the server bundle through this
// file before anything else, and the production package runs a copy of it as its entry
// (dist/node/server/start.cjs, written beside the bundle by server-bundle.ts).
const { isAscii } = require("node:buffer");
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require("node:fs");
const Module = require("node:module");
const { dirname, join } = require("node:path");
const { Script, constants } = require("node:vm");
const { crc32 } = require("node:zlib");

/** The bundle's file name, beside this file in the production package (bundle-freshness.cjs builds serverBundle from it). */
const bundleFileName = "main.cjs";

/** How long a server runs before its code cache is written, unless it exits first. */
const saveAfterMs = 10_000;

/**
 * Where the code cache of the bundle at `file` lives: in Node's compile cache directory (one
 * per Node version and architecture; none when off, as with NODE_DISABLE_COMPILE_CACHE=1),
 * one file per bundle path, so a rebuilt bundle replaces its cache rather than adding one.
 * @param {string} file
 * @param {string | undefined} cacheDir
 * @returns {string | undefined}
 */
function cachePath(file, cacheDir) {
  if (!cacheDir) return undefined;
  return join(cacheDir, "server-bundle", `${crc32(file).toString(16)}.v8cache`);
}

/**
 * What a cache file starts with: the CRC-32 and size of the bundle it was made from. V8
 * itself checks only the source's length, its own version and its flags, so a rebuilt
 * bundle of the same length must not take the old cache.
 * @param {Buffer} bytes
 * @returns {Buffer}
 */
function cacheHeader(bytes) {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(crc32(bytes), 0);
  header.writeUInt32LE(bytes.length, 4);
  return header;
}

/**
 * Runs the CommonJS server bundle `file` as `require` would, compiled with a V8 code cache
 * made after the server has run: on a clean exit (code 0), or after `saveAfterMs`,
 * whichever comes first, when no usable cache was there. Node's own compile cache is made
 * right after a module is compiled, so it holds only what V8 compiles up front; this one
 * also holds every function compiled lazily by then (loading descriptors, answering the
 * first calls), ~20 ms of a start here (docs/performance.md, "Cold start, twelfth
 * session"). A cache of another build of the bundle is not used, and one V8 rejects
 * (other V8 flags, a damaged file) is compiled without; both are written again. A
 * directory that cannot be written is left alone.
 * @param {string} file
 * @param {{ cacheDir?: string | undefined, saveAfterMs?: number }} [options] cacheDir: Node's compile cache directory by default
 * @returns {"loaded" | "rejected" | "absent" | "off"} what became of the cache
 */
function loadBundle(file, options = {}) {
  const bytes = readFileSync(file);
  // esbuild writes ASCII (non-ASCII characters escaped), and decoding that as latin1 gives
  // the same string without UTF-8's checks: ~5 ms of 1.8 MB here.
  const source = isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
  const cacheFile = cachePath(file, "cacheDir" in options ? options.cacheDir : Module.getCompileCacheDir?.());
  // The bundle's CRC only when there is a cache to check it against or to write.
  const header = cacheFile ? cacheHeader(bytes) : undefined;
  /** @type {Buffer | undefined} */
  let cachedData;
  try {
    const cached = cacheFile ? readFileSync(cacheFile) : undefined;
    // Another build's cache (or none) is not given to V8: it is replaced below.
    if (header && cached?.subarray(0, header.length).equals(header)) cachedData = cached.subarray(header.length);
  } catch {
    // none yet
  }
  // Node's own CommonJS wrapper, so the bundle runs as `node main.cjs` would run it.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
    filename: file,
    cachedData,
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  /** @type {"loaded" | "rejected" | "absent" | "off"} */
  const status = !cacheFile ? "off" : !cachedData ? "absent" : script.cachedDataRejected ? "rejected" : "loaded";
  if (cacheFile && header && status !== "loaded") {
    let saved = false;
    const save = () => {
      if (saved) return;
      saved = true;
      try {
        mkdirSync(dirname(cacheFile), { recursive: true });
        // Renamed into place: a concurrent start never reads half a file.
        const temporary = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(temporary, Buffer.concat([header, script.createCachedData()]));
        renameSync(temporary, cacheFile);
      } catch {
        // not writable here: later starts compile as this one did
      }
    };
    // Not from a start that failed: its cache would hold little, and be kept as it is.
    process.once("exit", (code) => code === 0 && save());
    setTimeout(save, options.saveAfterMs ?? saveAfterMs).unref();
  }
  const bundle = { exports: {} };
  script.runInThisContext()(bundle.exports, Module.createRequire(file), bundle, file, dirname(file));
  return status;
}

module.exports = { loadBundle, bundleFileName };

// As the production package's entry (start.cjs beside main.cjs): Node's compile cache
// directory on (NODE_COMPILE_CACHE, or the system's temporary directory), then the bundle.
if (require.main === module) {
  Module.enableCompileCache?.();
  loadBundle(join(__dirname, bundleFileName));
}
