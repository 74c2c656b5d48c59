// Part of `npm run generate`: when the page is already built (web/dist), its copy of the
// API document (/openapi.json on both runtimes) is replaced by the one just generated, so
// a new service or RPC shows up without rebuilding the page. `npm run build:web` copies
// it too (web/vite.config.ts).
import { copyFileSync, existsSync } from "node:fs";

const source = new URL("../src/gen/openapi.json", import.meta.url);
const built = new URL("../web/dist/", import.meta.url);
if (existsSync(source) && existsSync(built)) copyFileSync(source, new URL("openapi.json", built));
