import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrate } from "../../src/runtime/node/migrate.ts";
import { type SqliteDatabase, openSqliteDatabase } from "../../src/runtime/node/sqlite.ts";

// src/runtime/node/sqlite.ts: the reads of one event-loop turn share one read transaction
// (one WAL read lock), ended at the turn's end or before a write, exec or close. A second
// connection to the same file (as another process would be) shows what that means.

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

let dir: string;
let db: SqliteDatabase;
let other: DatabaseSync;
let checkpointer: DatabaseSync;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "read-turns-"));
  const path = join(dir, "app.db");
  db = openSqliteDatabase(path);
  db.exec("CREATE TABLE items (name TEXT NOT NULL)");
  other = new DatabaseSync(path, { timeout: 5000 });
  // No busy timeout: a checkpoint that readers hold up answers busy at once.
  checkpointer = new DatabaseSync(path, { timeout: 0 });
});

afterEach(() => {
  checkpointer.close();
  other.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const names = async () => (await db.query<{ name: string }>("SELECT name FROM items ORDER BY name", [])).map((row) => row.name);
const insertElsewhere = (name: string) => other.prepare("INSERT INTO items (name) VALUES (?)").run(name);
/** A TRUNCATE checkpoint by the other connection: busy (1) while a read transaction of ours is open. */
const checkpointBusy = () => (checkpointer.prepare("PRAGMA wal_checkpoint(TRUNCATE)").get() as { busy: number }).busy;

describe("SQLite reads in one event-loop turn", () => {
  it("should see the database as of the turn's first read, and another connection's commit from the next turn", async () => {
    insertElsewhere("a");
    expect(await names()).toEqual(["a"]);
    insertElsewhere("b");
    // Same turn: the read transaction (and its snapshot) is still the first read's.
    expect(await names()).toEqual(["a"]);
    await nextTurn();
    expect(await names()).toEqual(["a", "b"]);
  });

  it("should hold the read lock only until the turn is over", async () => {
    await names();
    expect(checkpointBusy()).toBe(1);
    await nextTurn();
    expect(checkpointBusy()).toBe(0);
  });

  it("should end the read transaction before a write, so the write succeeds and later reads see it", async () => {
    insertElsewhere("a");
    expect(await names()).toEqual(["a"]);
    insertElsewhere("b");
    // A write from inside a read transaction whose snapshot is stale would fail (SQLITE_BUSY_SNAPSHOT).
    await db.query("INSERT INTO items (name) VALUES (?)", ["c"]);
    expect(await names()).toEqual(["a", "b", "c"]);
    // The write ended the read lock; the read after it took a new one, for this turn only.
    expect(checkpointBusy()).toBe(1);
    await nextTurn();
    expect(checkpointBusy()).toBe(0);
  });

  it("should end the read transaction before exec, so a migration can begin its own", async () => {
    const migrations = mkdtempSync(join(tmpdir(), "read-turns-migrations-"));
    try {
      await names();
      // migrate() runs BEGIN IMMEDIATE through exec, then reads inside its own transaction.
      await expect(migrate(db, migrations)).resolves.toEqual([]);
      expect(await db.query("SELECT name FROM d1_migrations", [])).toEqual([]);
    } finally {
      rmSync(migrations, { recursive: true, force: true });
    }
  });

  it("should end the read transaction on close, with the turn's end still pending", async () => {
    await names();
    db.close();
    expect(checkpointBusy()).toBe(0);
    await nextTurn();
    // afterEach closes it again: reopen so that works.
    db = openSqliteDatabase(join(dir, "app.db"));
  });

  it("should keep reads working after a failed one in the same turn", async () => {
    await names();
    await expect(db.query("SELECT nope FROM items", [])).rejects.toThrow(/no such column/);
    expect(await names()).toEqual([]);
    await nextTurn();
    expect(checkpointBusy()).toBe(0);
  });
});
