import { describe, expect, it } from "vitest";
import { packageOf, productionPackage } from "../../scripts/build-node/production-package.ts";

const project = {
  name: "svc",
  version: "1.2.3",
  engines: { node: ">=26.0.0" },
  dependencies: { pino: "10.4.0", "@opentelemetry/api": "1.9.1" },
};

describe("packageOf", () => {
  it("should name the package of a bare or scoped import path", () => {
    expect(packageOf("pino")).toBe("pino");
    expect(packageOf("pino/file")).toBe("pino");
    expect(packageOf("@opentelemetry/api")).toBe("@opentelemetry/api");
    expect(packageOf("@opentelemetry/api/build/src/x.js")).toBe("@opentelemetry/api");
  });
});

describe("productionPackage", () => {
  it("should list no dependencies when the bundle imports only built-ins", () => {
    expect(productionPackage(project, [], "node main.mjs")).toEqual({
      name: "svc-node",
      version: "1.2.3",
      private: true,
      type: "module",
      engines: { node: ">=26.0.0" },
      scripts: { start: "node main.mjs" },
    });
  });

  it("should list each package left external once, at the project's pinned version", () => {
    const manifest = productionPackage(project, ["pino", "pino/file", "@opentelemetry/api/x"], "node main.mjs");
    expect(manifest.dependencies).toEqual({ pino: "10.4.0", "@opentelemetry/api": "1.9.1" });
  });

  it("should refuse a run-time import of a package that is not a production dependency", () => {
    expect(() => productionPackage(project, ["esbuild"], "node main.mjs")).toThrow(
      'the server bundle imports "esbuild" at run time, but it is not in package.json "dependencies"',
    );
  });
});
