import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isBundleCurrent } from "../../src/runtime/node/bundle-freshness.cjs";

const root = mkdtempSync(join(tmpdir(), "bundle-current-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function file(path: string, secondsAgo: number): string {
  const full = join(root, path);
  mkdirSync(join(full, ".."), { recursive: true });
  writeFileSync(full, "");
  const time = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(full, time, time);
  return full;
}

describe("isBundleCurrent", () => {
  it("should want a bundle that does not exist built", () => {
    file("src/a.ts", 100);
    expect(isBundleCurrent(join(root, "dist/none.mjs"), root)).toBe(false);
  });

  it("should take a bundle newer than every source, generated file, patch and install as current", () => {
    file("src/a.ts", 100);
    file("src/gen/b.ts", 90);
    file("package.json", 80);
    file("patches/some-package+1.0.0.patch", 75);
    file("node_modules/.package-lock.json", 70);
    expect(isBundleCurrent(file("dist/bundle.mjs", 10), root)).toBe(true);
  });

  it("should take a bundle older than a changed source, generated file, patch or install as stale", () => {
    const changes = [
      "src/runtime/node/deep.ts",
      "src/runtime/node/loader.cjs",
      "src/gen/acme/c.ts",
      "patches/some-package+1.0.0.patch",
      "node_modules/.package-lock.json",
    ];
    for (const changed of changes) {
      const bundle = file("dist/bundle.mjs", 10);
      file(changed, 5);
      expect(isBundleCurrent(bundle, root), changed).toBe(false);
      file(changed, 100);
    }
  });
});
