import Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as schema from "../../db/schema";
import { env } from "./env.server";

export type Db = BetterSQLite3Database<typeof schema>;
/** what a transaction callback receives; services accept either */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

/** db/migrations, found from this file whether it runs from app/ or build/server/. */
export function migrationsFolder(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "db", "migrations");
    if (existsSync(path.join(candidate, "meta", "_journal.json"))) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve("db/migrations");
}

export function openDatabase(url: string): { db: Db; sqlite: Database.Database } {
  const file = url.replace(/^file:/, "");
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  // WAL lets the web server, the workers and the CLI share one file safely.
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // Statement journals (an upsert inside a filing opens one) and sort space
  // in memory, not in a temporary file created and deleted each time: that
  // file was half the system time of a filing.
  sqlite.pragma("temp_store = MEMORY");
  // 32 MiB of page cache (SQLite's default is 2 MiB): the request table's
  // indexes stay in memory at 100k tickets. Pages are cached as read, so a
  // short-lived CLI process does not pay for it.
  sqlite.pragma("cache_size = -32000");
  cacheStatements(sqlite);
  const db = drizzle(sqlite, { schema });
  writeTransactionsTakeTheLockFirst(db);
  migrate(db, { migrationsFolder: migrationsFolder() });
  return { db, sqlite };
}

/**
 * Every transaction is BEGIN IMMEDIATE: it takes the write lock when it
 * starts, waiting (busy_timeout) for another process's writer to finish. A
 * deferred transaction that read first and then wrote failed at once with
 * SQLITE_BUSY / SQLITE_BUSY_SNAPSHOT whenever another process had written in
 * between (issue 14: 905 of 6,000 audit appends lost from two processes).
 * A transaction opened inside another becomes a savepoint, as before.
 */
function writeTransactionsTakeTheLockFirst(db: Db) {
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn, config) => transaction(fn, { behavior: "immediate", ...config })) as Db["transaction"];
}

/**
 * drizzle prepares every query anew, and SQLite compiled the same few dozen
 * statements again on every request (~10 % of a filing's CPU). Statements are
 * kept by their SQL text, the most recent 500; a cached reader is handed back
 * in its default mode, since drizzle switches some to raw() arrays.
 */
function cacheStatements(sqlite: Database.Database, max = 500) {
  const cache = new Map<string, Database.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => {
    const hit = cache.get(source);
    if (hit && !hit.busy) {
      if (hit.reader) hit.raw(false);
      cache.delete(source);
      cache.set(source, hit);
      return hit;
    }
    const stmt = prepare(source);
    if (!hit) cache.set(source, stmt);
    if (cache.size > max) cache.delete(cache.keys().next().value!);
    return stmt;
  }) as typeof sqlite.prepare;
}

/**
 * The connection behind a database handle or a transaction: drizzle hands a
 * transaction the same session object, so statements prepared on one run in
 * the other (better-sqlite3 is one connection).
 */
function sessionOf(db: DbOrTx): object {
  const session = (db as unknown as { session?: object }).session;
  if (!session) throw new TypeError("not a drizzle SQLite database or transaction");
  return session;
}

/**
 * A query drizzle builds once per connection, then runs with new values:
 * building a query costs drizzle more than SQLite takes to run it (about
 * 45 % of a filing's CPU went to building the same eight statements again).
 * `build` puts `sql.placeholder(name)` wherever a value varies and ends with
 * `.prepare()`; run it with `.run/.get/.all({ name: value })`.
 */
export function preparedQuery<Q>(build: (db: DbOrTx) => Q): (db: DbOrTx) => Q {
  const bySession = new WeakMap<object, Q>();
  return (db) => {
    const session = sessionOf(db);
    let query = bySession.get(session);
    if (query === undefined) bySession.set(session, (query = build(db)));
    return query;
  };
}

type PreparedInsert = { run(values: Record<string, unknown>): unknown; get(values: Record<string, unknown>): unknown };
const insertsBySession = new WeakMap<object, Map<SQLiteTable, Map<string, PreparedInsert>>>();

function preparedInsert(db: DbOrTx, table: SQLiteTable, values: Record<string, unknown>, returning: boolean) {
  const columns = Object.keys(values).filter((k) => values[k] !== undefined);
  const session = sessionOf(db);
  let tables = insertsBySession.get(session);
  if (!tables) insertsBySession.set(session, (tables = new Map()));
  let byColumns = tables.get(table);
  if (!byColumns) tables.set(table, (byColumns = new Map()));
  const key = `${returning ? "returning:" : ""}${columns.join(",")}`;
  let query = byColumns.get(key);
  if (!query) {
    const insert = db.insert(table).values(Object.fromEntries(columns.map((c) => [c, sql.placeholder(c)])));
    query = (returning ? insert.returning().prepare() : insert.prepare()) as unknown as PreparedInsert;
    byColumns.set(key, query);
  }
  return query;
}

/**
 * `db.insert(table).values(values).run()`, through a statement built once
 * per table and set of columns (values are mapped by their columns as usual:
 * dates, JSON, booleans). For the inserts every request makes.
 */
export function insertRow<T extends SQLiteTable>(db: DbOrTx, table: T, values: T["$inferInsert"]): void {
  preparedInsert(db, table, values as Record<string, unknown>, false).run(values as Record<string, unknown>);
}

/** `db.insert(table).values(values).returning().get()`, prepared as `insertRow` is. */
export function insertReturning<T extends SQLiteTable>(db: DbOrTx, table: T, values: T["$inferInsert"]): T["$inferSelect"] {
  return preparedInsert(db, table, values as Record<string, unknown>, true).get(values as Record<string, unknown>) as T["$inferSelect"];
}

type CommitJob = { work: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void };
const waitingBySession = new WeakMap<object, CommitJob[]>();

/**
 * Runs `work` (synchronous database writes) in a transaction shared with the
 * other requests that arrive in the same turn of the event loop, and
 * resolves once that transaction is committed: under load, ten filings pay
 * for one commit, and each page they share (the end of every index, the
 * counters) is written to the WAL once instead of ten times. Each job runs
 * in its own savepoint: one that throws is undone and rejected alone; if the
 * commit itself fails, every job is rejected and none was written. Never
 * more waiting than one turn of the event loop.
 */
export function groupCommit<T>(db: Db, work: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const session = sessionOf(db);
    let waiting = waitingBySession.get(session);
    if (!waiting) {
      waitingBySession.set(session, (waiting = []));
      setImmediate(() => commitTogether(db, session));
    }
    waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
  });
}

function commitTogether(db: Db, session: object) {
  const jobs = waitingBySession.get(session) ?? [];
  waitingBySession.delete(session);
  const sqlite = (db as unknown as { $client: Database.Database }).$client;
  const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
  try {
    sqlite.transaction(() => {
      for (const job of jobs) {
        try {
          outcomes.push({ ok: true, value: sqlite.transaction(job.work)() });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    }).immediate();
  } catch (error) {
    for (const job of jobs) job.reject(error);
    return;
  }
  jobs.forEach((job, i) => {
    const outcome = outcomes[i]!;
    if (outcome.ok) job.resolve(outcome.value);
    else job.reject(outcome.error);
  });
}

let instance: { db: Db; sqlite: Database.Database; url: string } | undefined;

/** The process-wide database, opened and migrated on first use. */
export function db(): Db {
  const url = env().DATABASE_URL;
  if (!instance || instance.url !== url) {
    instance?.sqlite.close();
    instance = { ...openDatabase(url), url };
  }
  return instance.db;
}

export function closeDb() {
  instance?.sqlite.close();
  instance = undefined;
}
