import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { type SourceMap, textBySource } from "./source-map-text.ts";
import { wrangler } from "./wrangler-run.ts";

export interface BundlePart {
  /** An npm package (a nested copy names the package it sits in), or a folder of this project. */
  part: string;
  /** Minified bytes in the bundle (esbuild metafile), KiB. */
  kib: number;
  /** Share of the minified bytes, %. */
  share: number;
  /** Estimated share of the gzip size, KiB (see bundleBreakdown). */
  gzipKiB: number;
  /** Estimated share of the gzip size, %. */
  gzipShare: number;
}

export interface Bundle {
  /** The main module (index.js): what workerd evaluates at startup and the budget is for. */
  rawKiB: number;
  gzipKiB: number;
  /** Modules uploaded beside it and imported on demand (wrangler.toml `rules`), e.g. the MCP server. */
  lazyModules: { name: string; rawKiB: number; gzipKiB: number }[];
  parts: BundlePart[];
}

const glue = "(bundler glue: module wrappers, helpers)";

interface Metafile {
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}

/**
 * What the production bundle of the Worker in `dir` holds (`wrangler deploy --dry-run
 * --metafile`, minified as deployed). Minified bytes per part come from esbuild's
 * metafile. gzip does not split by file, so the gzip column is an estimate: the bundle's
 * text is cut by the source map into each part's pieces, each part's text is gzipped on
 * its own, and the bundle's real gzip size is shared out in proportion.
 */
export async function bundleBreakdown(dir: string): Promise<Bundle> {
  const out = mkdtempSync(join(tmpdir(), "worker-meta-"));
  try {
    await wrangler(["deploy", "--dry-run", "--outdir", out, "--metafile", join(out, "meta.json")], dir);
    // wrangler prints the whole upload (all modules); the budget is the main module's.
    const sizes = moduleSizes(join(out, "index.js"));
    const lazyModules = listFiles(out)
      .filter((name) => /\.(m?js)$/.test(name) && name !== "index.js")
      .map((name) => ({ name, ...moduleSizes(join(out, name)) }));
    const meta = JSON.parse(readFileSync(join(out, "meta.json"), "utf8")) as Metafile;
    const raw = new Map<string, number>();
    for (const output of Object.values(meta.outputs)) {
      for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
        add(raw, partOf(relative(dir, resolve(dir, file))), bytesInOutput);
      }
    }
    const gzip = gzipBytesByPart(dir, out);
    const rawTotal = sum(raw);
    const gzipTotal = sum(gzip);
    const names = new Set([...raw.keys(), ...gzip.keys()]);
    const parts = [...names].map((part) => {
      const gzipKiB = gzipTotal ? ((gzip.get(part) ?? 0) / gzipTotal) * sizes.gzipKiB : 0;
      return {
        part,
        kib: round((raw.get(part) ?? 0) / 1024),
        share: round(((raw.get(part) ?? 0) / rawTotal) * 100),
        gzipKiB: round(gzipKiB),
        gzipShare: round((gzipKiB / sizes.gzipKiB) * 100),
      };
    });
    parts.sort((a, b) => b.kib - a.kib || b.gzipKiB - a.gzipKiB);
    return { ...sizes, lazyModules, parts };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** A module's size, raw and gzipped as wrangler measures an upload (zlib's default level), KiB. */
function moduleSizes(path: string): { rawKiB: number; gzipKiB: number } {
  const bytes = readFileSync(path);
  const kib = (n: number) => Math.round((n / 1024) * 100) / 100;
  return { rawKiB: kib(bytes.byteLength), gzipKiB: kib(gzipSync(bytes).byteLength) };
}

/** Files under `dir`, as paths relative to it. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

/** gzip size of each part's text taken on its own (empty without a source map). */
function gzipBytesByPart(dir: string, out: string): Map<string, number> {
  const bytes = new Map<string, number>();
  const mapFile = join(out, "index.js.map");
  if (!existsSync(mapFile)) return bytes;
  const map = JSON.parse(readFileSync(mapFile, "utf8")) as SourceMap;
  const text = new Map<string, string[]>();
  for (const [source, pieces] of textBySource(readFileSync(join(out, "index.js"), "utf8"), map)) {
    const part = source < 0 ? glue : partOf(relative(dir, resolve(out, map.sources[source]!)));
    text.set(part, [...(text.get(part) ?? []), ...pieces]);
  }
  for (const [part, pieces] of text) bytes.set(part, gzipSync(pieces.join("")).length);
  return bytes;
}

/** The npm package a file belongs to (the innermost one), or its folder in this project. */
function partOf(file: string): string {
  const packages = [...file.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].map((match) => match[1]!);
  if (packages.length > 1) return `${packages.at(-1)} (copy in ${packages.at(-2)})`;
  if (packages.length === 1) return packages[0]!;
  if (file.startsWith("src/gen/")) return "src/gen (generated code)";
  return file.split("/").slice(0, 2).join("/");
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

function sum(map: Map<string, number>): number {
  return [...map.values()].reduce((total, n) => total + n, 0);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
