import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Attributes } from "@opentelemetry/api";
import { DataPointType, type HistogramMetricData, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";

// patches/@opentelemetry+sdk-metrics+*.patch (applied by patch-package on npm install)
// keeps the hash of a frozen attributes object whose values are all primitives, instead of
// sorting and stringifying its keys on every record; the metrics interceptor records with
// frozen objects (src/interceptors/metrics.ts). Oracle: the published hashAttributes.

const require = createRequire(import.meta.url);
const { hashAttributes } = require("@opentelemetry/sdk-metrics/build/src/utils.js") as { hashAttributes: (a: Attributes) => string };

/** hashAttributes as @opentelemetry/sdk-metrics publishes it. */
function publishedHash(attributes: Attributes): string {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return "";
  keys.sort();
  return JSON.stringify(keys.map((key) => [key, attributes[key]]));
}

const corpus: Attributes[] = [
  {},
  { "rpc.system.name": "grpc", "rpc.method": "acme.user.v1.UserService/GetUser" },
  { "rpc.method": "acme.user.v1.UserService/GetUser", "rpc.system.name": "grpc" },
  { "rpc.system.name": "connectrpc", "rpc.method": "a/B", "rpc.response.status_code": "NOT_FOUND", "error.type": "NOT_FOUND" },
  { n: 1, f: 1.5, t: true, z: false, u: undefined },
  { ünï: "日本語 🚀", quote: 'say "hi"', nl: "a\nb" },
  { list: ["a", "b"], numbers: [1, 2, 3] },
];

describe("the sdk-metrics patch (hashes of frozen attributes kept)", () => {
  it("should be in every build of hashAttributes", () => {
    for (const build of ["src", "esm", "esnext"]) {
      const source = readFileSync(require.resolve(`@opentelemetry/sdk-metrics/build/${build}/utils.js`), "utf8");
      expect(source, build).toContain("frozenAttributeHashes");
    }
  });

  it("should hash every object as published, frozen or not, twice", () => {
    for (const attributes of corpus) {
      const frozen = Object.freeze({ ...attributes });
      for (let i = 0; i < 2; i++) {
        expect(hashAttributes({ ...attributes })).toBe(publishedHash(attributes));
        expect(hashAttributes(frozen)).toBe(publishedHash(attributes));
      }
    }
  });

  it("should read a frozen object's attributes once, and an unfrozen one's every time", () => {
    let reads = 0;
    /** Attributes whose one value counts its reads. */
    const counted = () => ({
      get "rpc.method"() {
        reads++;
        return "a/B";
      },
    });
    const frozen = Object.freeze(counted());
    hashAttributes(frozen);
    const afterFirst = reads;
    expect(afterFirst).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect(hashAttributes(frozen)).toBe('[["rpc.method","a/B"]]');
    expect(reads).toBe(afterFirst);
    const open = counted();
    hashAttributes(open);
    hashAttributes(open);
    expect(reads).toBeGreaterThanOrEqual(afterFirst + 2);
  });

  it("should not keep the hash of a frozen object holding an array, which can still change", () => {
    const list = ["a"];
    const frozen = Object.freeze({ list });
    expect(hashAttributes(frozen)).toBe(publishedHash({ list: ["a"] }));
    list.push("b");
    expect(hashAttributes(frozen)).toBe(publishedHash({ list: ["a", "b"] }));
  });

  it("should aggregate records with a frozen object and with equal fresh ones into one point", async () => {
    const reader = new CollectingReader();
    const provider = new MeterProvider({ readers: [reader] });
    const histogram = provider.getMeter("test").createHistogram("d");
    const ok = Object.freeze({ "rpc.method": "a/B", "rpc.response.status_code": "OK" });
    for (let i = 0; i < 10; i++) {
      histogram.record(i, ok);
      histogram.record(i, { "rpc.response.status_code": "OK", "rpc.method": "a/B" });
    }
    histogram.record(1, Object.freeze({ "rpc.method": "a/B", "rpc.response.status_code": "INTERNAL" }));
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics[0]?.metrics[0] as HistogramMetricData;
    expect(metric.dataPointType).toBe(DataPointType.HISTOGRAM);
    const counts = metric.dataPoints.map((point) => [point.attributes["rpc.response.status_code"], point.value.count, point.value.sum]);
    expect(counts).toEqual([
      ["OK", 20, 90],
      ["INTERNAL", 1, 1],
    ]);
    await provider.shutdown();
  });
});

class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}
