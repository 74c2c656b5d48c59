// `npm start`: V8's code cache on, then the server from its bundle (rebuilt first when
// a source changed since), or from the sources when esbuild is not installed. Plain
// JavaScript, like bundle-freshness.mjs: loading TypeScript support would cost ~40 ms.
import module from "node:module";
import { isBundleCurrent, serverBundle } from "./bundle-freshness.mjs";

module.enableCompileCache?.();
// One look at the sources' times (a walk of src/, ~6-15 ms here): a bundle just built is current.
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
await import(current ? serverBundle : "./main.ts");
