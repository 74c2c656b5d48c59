// The Worker's modules of their own, src/gen/*-worker.js (scripts/worker-chunks), uploaded
// beside the main module (wrangler.toml `rules`) and imported on first use.
//
// This file sits at src/, wrangler's base_dir, and not in src/runtime/worker/, because an
// import specifier resolves against the module that imports it: deployed, that is the
// bundled main module, named at base_dir's root; in the Workers test pool, which does not
// bundle, it is this file. Only here does "./gen/..." name the same module in both.

/** A module under src/gen/ by its name there, evaluated on the first import. */
export function importWorkerModule<T>(name: `${string}-worker.js`): Promise<T> {
  // Not a literal in import(), so neither wrangler nor vite bundles the module into this one.
  const specifier = `./gen/${name}`;
  return import(/* @vite-ignore */ specifier);
}
