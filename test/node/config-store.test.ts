import { describe, expect, it } from "vitest";
import type { ConfigLog } from "../../src/config/config-source.ts";
import { createConfigStore } from "../../src/config/config-store.ts";
import { defaultConfig } from "../../src/config/defaults.ts";
import { configProblems } from "../../src/config/parse-config.ts";
import { sqliteConfigSource, writeSqliteConfig } from "../../src/runtime/node/config-sources.ts";
import { migrate } from "../../src/runtime/node/migrate.ts";
import { openSqliteDatabase } from "../../src/runtime/node/sqlite.ts";

async function setup(env: Record<string, string> = {}) {
  const db = openSqliteDatabase(":memory:");
  await migrate(db);
  const lines: Parameters<ConfigLog>[0][] = [];
  const store = createConfigStore({ source: sqliteConfigSource(db), env, log: (line) => lines.push(line) });
  return {
    db,
    store,
    lines,
    write: (config: object | string) => writeSqliteConfig(db, typeof config === "string" ? config : JSON.stringify(config)),
  };
}

describe("config store", () => {
  it("should start from defaults that pass the config rules (the store skips validating them alone)", () => {
    expect(configProblems(defaultConfig())).toEqual([]);
  });

  it("should layer defaults < stored config < environment", async () => {
    const { store, write } = await setup({ CONFIG_USER_LISTING_MAX_PAGE_SIZE: "300" });
    await store.refresh();
    expect(store.current().userListing).toMatchObject({ defaultPageSize: 50, maxPageSize: 300 });
    await write({ userListing: { defaultPageSize: 20, maxPageSize: 200 }, maintenance: { enabled: true } });
    await store.refresh();
    expect(store.current().userListing).toMatchObject({ defaultPageSize: 20, maxPageSize: 300 });
    expect(store.current().maintenance).toMatchObject({ enabled: true, retryAfterSeconds: 60 });
  });

  it("should let OTEL_TRACES_SAMPLER_ARG and CONFIG_* of every type override the store", async () => {
    const { store, write } = await setup({
      OTEL_TRACES_SAMPLER_ARG: "0.5",
      CONFIG_OBSERVABILITY_LOG_LEVEL: "warn",
      CONFIG_ORDERS_CREATION_ENABLED: "false",
      CONFIG_CORS_ALLOWED_ORIGINS: "https://a.example, https://b.example",
    });
    await write({ observability: { traceSampleRatio: 1 }, cors: { allowedOrigins: ["https://c.example"] } });
    await store.refresh();
    const { observability, orders, cors } = store.current();
    expect(observability).toMatchObject({ traceSampleRatio: 0.5, logLevel: 3 });
    expect(orders?.creationEnabled).toBe(false);
    expect(cors?.allowedOrigins).toEqual(["https://a.example", "https://b.example"]);
  });

  it("should keep the last good config when a bad version is stored, and say why once", async () => {
    const { store, write, lines } = await setup();
    await write({ userListing: { maxPageSize: 10, defaultPageSize: 10 } });
    await store.refresh();
    const good = store.current();
    await write({ userListing: { maxPageSize: 0 } });
    await store.refresh();
    await store.refresh();
    expect(store.current()).toBe(good);
    const errors = lines.filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.problems?.[0]).toMatch(/^user_listing\.max_page_size: /);
    await write("{ not json");
    await store.refresh();
    expect(store.current()).toBe(good);
    expect(lines.filter((l) => l.level === "error")).toHaveLength(2);
    await write({ userListing: { maxPageSize: 20, defaultPageSize: 20 } });
    await store.refresh();
    expect(store.current().userListing?.maxPageSize).toBe(20);
  });

  it("should reject a stored version that breaks a rule only together with the environment", async () => {
    const { store, write, lines } = await setup({ CONFIG_USER_LISTING_MAX_PAGE_SIZE: "60" });
    await write({ userListing: { defaultPageSize: 70, maxPageSize: 100 } });
    await store.refresh();
    expect(store.current().userListing).toMatchObject({ defaultPageSize: 50, maxPageSize: 60 });
    expect(lines.at(-1)?.problems?.[0]).toContain("default_page_size must not exceed max_page_size");
  });

  it("should start on defaults with an error line when the stored config is invalid", async () => {
    const { store, write, lines } = await setup();
    await write({ cors: { allowedOrigins: ["not a url"] } });
    await store.refresh();
    expect(store.current().userListing?.defaultPageSize).toBe(50);
    expect(lines).toMatchObject([{ level: "error", problems: [expect.stringMatching(/^cors\.allowed_origins\[0\]: /)] }]);
  });

  it("should refuse an invalid environment with a message naming the variable", async () => {
    await expect(setup({ CONFIG_MAINTENANCE_ENABLED: "yes" })).rejects.toThrow(
      'CONFIG_MAINTENANCE_ENABLED must be true or false, got "yes"',
    );
    await expect(setup({ OTEL_TRACES_SAMPLER_ARG: "2" })).rejects.toThrow("observability.trace_sample_ratio");
  });

  it("should hand out immutable snapshots and swap them whole", async () => {
    const { store, write } = await setup();
    const before = store.current();
    expect(() => {
      (before.maintenance as { enabled: boolean }).enabled = true;
    }).toThrow(TypeError);
    await write({ maintenance: { enabled: true, retryAfterSeconds: 5 } });
    await store.refresh();
    expect(before.maintenance?.enabled).toBe(false);
    expect(store.current().maintenance).toMatchObject({ enabled: true, retryAfterSeconds: 5 });
  });
});
