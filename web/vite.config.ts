import { defineConfig } from "vite";

// The page of `npm start` and `npm run dev:worker`: built into web/dist, served
// same-origin by the Node server and as Workers static assets.
export default defineConfig({
  root: new URL(".", import.meta.url).pathname,
  build: { outDir: "dist", emptyOutDir: true },
});
