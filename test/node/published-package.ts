import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { Plugin } from "esbuild";

// The oracle of a patch test (patches/, applied by patch-package on npm install): the
// patched package bundled with the patch undone, as it was published.

const root = new URL("../../", import.meta.url).pathname;

/** One file of an installed package that a patch changed: the texts it wrote, each with how it read as published. */
export interface PatchedFile {
  /** From node_modules, with "/" separators: "@bufbuild/protovalidate/dist/esm/cel.js". */
  path: string;
  edits: readonly (readonly [patched: string, published: string])[];
}

/** `source` as published; throws if a patched text is missing (the installed package does not carry the patch). */
export function undoEdits(source: string, file: PatchedFile): string {
  return file.edits.reduce((text, [patched, published]) => {
    if (!text.includes(patched)) throw new Error(`the installed ${file.path} does not carry the patch`);
    return text.replace(patched, published);
  }, source);
}

/** An esbuild plugin that loads each of `files` with its patch undone. */
export function publishedFiles(files: readonly PatchedFile[]): Plugin {
  return {
    name: "published-files",
    setup(build) {
      for (const file of files) {
        const escaped = file.path.split("/").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
        const filter = new RegExp(`[\\\\/]${escaped.join("[\\\\/]")}$`);
        build.onLoad({ filter }, (args) => ({ contents: undoEdits(readFileSync(args.path, "utf8"), file), loader: "js" }));
      }
    },
  };
}

/** Bundles `entry` (TypeScript, imports resolved from the project root) into `outfile` with `plugins`, and imports it. */
export async function bundleEntry<T>(entry: string, outfile: string, plugins: Plugin[] = []): Promise<T> {
  const esbuild = await import("esbuild");
  await esbuild.build({
    stdin: { contents: entry, resolveDir: root, loader: "ts" },
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    mainFields: ["module", "main"],
    logLevel: "error",
    plugins,
  });
  return (await import(pathToFileURL(outfile).href)) as T;
}
