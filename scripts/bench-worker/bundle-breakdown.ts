import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wrangler } from "./wrangler-run.ts";

export interface BundlePart {
  part: string;
  kib: number;
  share: number;
}

interface Metafile {
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}

/**
 * What the template's production bundle holds (`wrangler deploy --dry-run --metafile`):
 * minified bytes per npm package, or per folder of this project, largest first.
 */
export async function bundleBreakdown(config: string): Promise<BundlePart[]> {
  const dir = mkdtempSync(join(tmpdir(), "worker-meta-"));
  try {
    await wrangler(["deploy", "--dry-run", "--config", config, "--outdir", dir, "--metafile", join(dir, "meta.json")]);
    const meta = JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")) as Metafile;
    const bytes = new Map<string, number>();
    for (const output of Object.values(meta.outputs)) {
      for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
        const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
        const part = pkg ?? (file.startsWith("src/gen/") ? "src/gen (generated)" : file.split("/").slice(0, 2).join("/"));
        bytes.set(part, (bytes.get(part) ?? 0) + bytesInOutput);
      }
    }
    const total = [...bytes.values()].reduce((sum, n) => sum + n, 0);
    return [...bytes]
      .sort((a, b) => b[1] - a[1])
      .map(([part, n]) => ({ part, kib: Math.round((n / 1024) * 10) / 10, share: Math.round((n / total) * 1000) / 10 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
