import { statSync } from "node:fs";
import { serverBundle } from "../src/runtime/node/bundle-freshness.cjs";
import { buildServerBundle } from "../src/runtime/node/server-bundle.ts";

// `npm run build:server`: the bundle `npm start` loads (it also rebuilds it by itself
// when a source changed). Run it when building a container image.
await buildServerBundle();
console.log(`${serverBundle}: ${(statSync(serverBundle).size / 1024).toFixed(0)} KiB`);
