import type { SqlDatabase } from "../store/sql-database.ts";
import type { ReadinessCheck } from "./readiness.ts";

/** Ready while the database answers a trivial query (SQLite on Node, D1 on Workers). */
export function databaseCheck(db: SqlDatabase): ReadinessCheck {
  return { name: "database", check: (signal) => db.query("SELECT 1", [], signal).then(() => undefined) };
}

/** Ready once a valid config from the config source is in effect (ConfigStore.loaded). */
export function configCheck(loaded: () => boolean): ReadinessCheck {
  return {
    name: "config",
    check() {
      if (!loaded()) throw new Error("no valid config loaded");
    },
  };
}
