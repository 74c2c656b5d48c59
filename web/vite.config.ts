import { readFileSync } from "node:fs";
import { type Plugin, defineConfig } from "vite";

// The page of `npm start` and `npm run dev:worker`: built into web/dist, served
// same-origin by the Node server and as Workers static assets. So is the API reference
// (/docs) and the OpenAPI document it shows (/openapi.json, docs/api-docs.md).
export default defineConfig({
  root: new URL(".", import.meta.url).pathname,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rolldownOptions: { input: { main: pageFile("index.html"), docs: pageFile("docs/index.html") } },
  },
  plugins: [openApiDocument()],
});

function pageFile(path: string): string {
  return new URL(path, import.meta.url).pathname;
}

/** Copies src/gen/openapi.json (made by `npm run generate`) to the build's /openapi.json. */
function openApiDocument(): Plugin {
  const source = new URL("../src/gen/openapi.json", import.meta.url);
  return {
    name: "openapi-document",
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "openapi.json", source: readFileSync(source) });
    },
  };
}
