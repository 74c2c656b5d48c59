-- Twin of migrations-postgres/0004_create_rate_limits.sql, on purpose a no-op: SQLite
-- (one process) counts in memory and D1's Worker uses the Rate Limiting binding.
SELECT 1;
