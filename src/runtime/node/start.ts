import module from "node:module";
import { buildServerBundle, isBundleCurrent, serverBundle } from "./server-bundle.ts";

// `npm start`: V8's code cache on, then the server from its bundle (rebuilt first when
// a source changed since), or from the sources when esbuild is not installed.
module.enableCompileCache?.();
if (!isBundleCurrent()) {
  try {
    await buildServerBundle();
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND";
    if (!missing) console.error(`could not bundle the server, running its sources: ${String(error)}`);
  }
}
await import(isBundleCurrent() ? serverBundle : "./main.ts");
