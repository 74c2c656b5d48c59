import { applyD1Migrations, env } from "cloudflare:test";

// The same migrations/ files `wrangler d1 migrations apply` uses, applied to the
// test file's isolated D1 database.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
