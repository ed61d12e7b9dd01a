import Database from "better-sqlite3";
import { is, sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { drizzle as drizzleProxy } from "drizzle-orm/sqlite-proxy";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { SQLiteSelectBase, type BaseSQLiteDatabase, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import path from "node:path";
import * as schema from "../../db/schema";
import { env } from "./env.server";
import {
  inPostgresTransaction,
  isPostgresUrl,
  lockingSelect,
  migrationsFolderNamed,
  openPostgres,
  postgresNow,
  rawPostgres,
  withPostgresTx,
  type PgStore,
} from "./store-postgres.server";

/**
 * The store (ADR 0018). Services see one handle, `Db`, and write only
 * inside `withTx`. On SQLite:
 * - writers are serialised in the process by an async lock around
 *   `BEGIN IMMEDIATE` on the write connection (other processes wait on
 *   SQLite's own lock, busy_timeout);
 * - reads outside a transaction go to a second, read-only connection, so they
 *   never see another request's uncommitted work; inside `withTx` the same
 *   handle reads through the transaction (AsyncLocalStorage), so a nested
 *   call sees what its transaction wrote;
 * - a `withTx` inside another joins it, as a savepoint.
 * Every query is awaited (`await db.select()…`, `first(query)` for one row),
 * so a driver that answers asynchronously can replace this one.
 */
export type Db = BaseSQLiteDatabase<"sync", Database.RunResult, typeof schema>;
/** the handle a transaction callback receives: the same type as `Db` */
export type Tx = Db;
export type DbOrTx = Db;

/** db/migrations (SQLite's), found from this file whether it runs from app/ or build/server/. */
export function migrationsFolder(): string {
  return migrationsFolderNamed("migrations");
}

/** Serialises this process's writers on one database file, in arrival order. */
class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.tail.then(() => release);
    this.tail = acquired.then(() => released);
    return acquired;
  }
}

type Connection = { sqlite: Database.Database; db: Db };
type Store = { url: string; write: Connection; read: Database.Database; outside: Db; handle: Db; lock: WriteLock; group: GroupJob[] | null };
type Method = "run" | "all" | "values" | "get";
type TxContext = { lock: WriteLock; write: Connection; savepoints: number };
type GroupJob = { work: (tx: Tx) => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void };

/**
 * The lock and the transaction context are kept per process, not per copy of
 * this module: the tests load the built server next to the sources, and two
 * copies holding two locks on one file would each wait for the other.
 */
const shared: { locks: Map<string, WriteLock>; context: AsyncLocalStorage<TxContext> } = ((globalThis as Record<symbol, unknown>)[
  Symbol.for("rightsdesk.store")
] ??= { locks: new Map(), context: new AsyncLocalStorage() }) as never;
const stores = new WeakMap<object, Store | PgStore>();

function pragmas(sqlite: Database.Database) {
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
}

function connect(sqlite: Database.Database): Connection {
  const db = drizzle(sqlite, { schema }) as unknown as Db;
  return { sqlite, db };
}

export type OpenDatabase = { db: Db; sqlite: Database.Database; close(): void; closed?: Promise<void> };

/**
 * Opens (and, on SQLite or outside production on PostgreSQL, migrates) the
 * database at `url`: `file:…` for SQLite, `postgres://…` for PostgreSQL
 * (ADR 0020). `sqlite` is SQLite's own handle, for tests and tools that
 * need it; on PostgreSQL reading it throws.
 */
export function openDatabase(url: string, opts: { production?: boolean; poolSize?: number } = {}): OpenDatabase {
  if (isPostgresUrl(url)) {
    const store = openPostgres(url, { production: opts.production ?? false, poolSize: opts.poolSize ?? 10 });
    const handle = new Proxy(store.handle, {
      get(target, prop) {
        if (prop === "transaction") return refuseTransaction;
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as unknown as Db;
    stores.set(handle, store);
    stores.set(store.handle, store);
    const opened: OpenDatabase = {
      db: handle,
      get sqlite(): Database.Database {
        throw new TypeError("not a SQLite database: this installation runs on PostgreSQL");
      },
      close() {
        opened.closed = store.close();
      },
    };
    return opened;
  }
  return openSqlite(url);
}

function refuseTransaction(): never {
  throw new TypeError("use withTx(ctx, async (tx) => …): transactions are async and serialised by the store");
}

function openSqlite(url: string): OpenDatabase {
  const file = url.replace(/^file:/, "");
  const memory = file === ":memory:";
  if (!memory) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  // WAL lets the web server, the workers and the CLI share one file safely.
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  pragmas(sqlite);
  const write = connect(sqlite);
  migrate(write.db as never, { migrationsFolder: migrationsFolder() });
  let read = sqlite;
  if (!memory) {
    read = new Database(file, { readonly: true, fileMustExist: true });
    pragmas(read);
  }
  const key = memory ? `memory:${Math.random()}` : path.resolve(file);
  let lock = shared.locks.get(key);
  if (!lock) shared.locks.set(key, (lock = new WriteLock()));
  const store: Store = { url, write, read, lock, group: null, handle: undefined as never, outside: undefined as never };
  store.outside = drizzleProxy((text, params, method) => outside(store, text, params, method as Method) as Promise<{ rows: never[] }>, { schema }) as unknown as Db;
  store.handle = handleFor(store);
  for (const db of [store.handle, write.db, store.outside]) stores.set(db, store);
  const close = () => {
    if (read !== sqlite) read.close();
    write.sqlite.close();
  };
  return { db: store.handle, sqlite, close };
}

/**
 * What services hold: inside `withTx` on the same file, the transaction;
 * outside, a driver that sends each query on its own way (below).
 */
function handleFor(store: Store): Db {
  return new Proxy(store.outside, {
    get(_target, prop) {
      if (prop === "transaction") return refuseTransaction;
      const c = shared.context.getStore();
      const base = c && c.lock === store.lock ? c.write.db : store.outside;
      const value = Reflect.get(base, prop, base);
      return typeof value === "function" ? value.bind(base) : value;
    },
  });
}

/**
 * A query outside any transaction: one that only reads goes to the read
 * connection (it never sees another request's uncommitted work); one that
 * writes is its own transaction, taken in turn with the process's other
 * writers (the same as an autocommit statement, without blocking them).
 */
async function outside(store: Store, text: string, params: unknown[], method: Method, objects = false) {
  const c = shared.context.getStore();
  if (c && c.lock === store.lock) return execute(c.write.sqlite, text, params, method, objects);
  if (store.read.prepare(text).readonly) return execute(store.read, text, params, method, objects);
  if (OUTSIDE_TRANSACTIONS.test(text)) {
    // VACUUM (a backup with VACUUM INTO) cannot run inside a transaction: the writers' turn, without BEGIN.
    const release = await store.lock.acquire();
    try {
      return execute(store.write.sqlite, text, params, method, objects);
    } finally {
      release();
    }
  }
  return withTx(store.handle, () => execute(store.write.sqlite, text, params, method, objects));
}

const OUTSIDE_TRANSACTIONS = /^\s*(VACUUM|PRAGMA)\b/i;

function execute(sqlite: Database.Database, text: string, params: unknown[], method: Method, objects: boolean) {
  const stmt = sqlite.prepare(text);
  if (method === "run" || !stmt.reader) {
    const r = stmt.run(...params);
    return { rows: [], changes: r.changes, lastInsertRowid: r.lastInsertRowid };
  }
  stmt.raw(!objects);
  return { rows: method === "get" ? stmt.get(...params) : stmt.all(...params) };
}

function anyStoreFor(source: Db | { db: Db }): Store | PgStore {
  const store = stores.get(source) ?? stores.get((source as { db: Db }).db);
  if (!store) throw new TypeError("not a RightsDesk database handle");
  return store;
}

function storeFor(source: Db | { db: Db }): Store {
  const store = anyStoreFor(source);
  if ("kind" in store) throw new TypeError("a SQLite-only operation on a PostgreSQL database");
  return store;
}

/** "pg" when the handle's database is PostgreSQL, else "sqlite". */
export function dialectOf(source: Db | { db: Db }): "sqlite" | "pg" {
  return "kind" in anyStoreFor(source) ? "pg" : "sqlite";
}

/** Resolves once the database can take statements (PostgreSQL: migrated, or checked in production); rejects with the reason. */
export async function databaseReady(source: Db | { db: Db } = db()): Promise<void> {
  const store = anyStoreFor(source);
  if ("kind" in store) await store.ready;
}

/**
 * The write connection itself, for a script's bulk load (the bench fills
 * 100k tickets) outside the services. Hold no transaction of the store while
 * using it; services never do.
 */
export function bulkConnection(source: Db | { db: Db }): Database.Database {
  return storeFor(source).write.sqlite;
}

/** True while the caller runs inside a transaction on this database. */
export function inTransaction(source: Db | { db: Db }): boolean {
  const any = anyStoreFor(source);
  if ("kind" in any) return inPostgresTransaction(any);
  return shared.context.getStore()?.lock === storeFor(source).lock;
}

/**
 * Runs `fn` in one transaction and resolves once it is committed; a throw
 * rolls everything back. Inside another `withTx` on the same database it
 * joins that transaction as a savepoint: its own throw undoes only its part.
 * Keep network calls out of `fn`: every other writer of the process waits.
 */
export async function withTx<T>(source: Db | { db: Db }, fn: (tx: Tx) => T | PromiseLike<T>): Promise<T> {
  const any = anyStoreFor(source);
  if ("kind" in any) {
    const handle = (source as { db?: Db }).db ?? (source as Db);
    return withPostgresTx(any, () => fn(stores.has(handle) ? handle : (any.handle as unknown as Db)));
  }
  const store = any;
  const outer = shared.context.getStore();
  if (outer && outer.lock === store.lock) return savepoint(outer, fn);
  const release = await store.lock.acquire();
  try {
    return await transaction(store, () => fn(store.write.db));
  } finally {
    release();
  }
}

async function transaction<T>(store: Store, fn: () => T | PromiseLike<T>): Promise<T> {
  const { sqlite } = store.write;
  // BEGIN IMMEDIATE takes the file's write lock first, waiting (busy_timeout)
  // for another process's writer: a deferred transaction that read, then
  // wrote, failed at once with SQLITE_BUSY when another process had written
  // in between (issue 14: 905 of 6,000 audit appends lost from two processes).
  sqlite.exec("BEGIN IMMEDIATE");
  try {
    const result = await shared.context.run({ lock: store.lock, write: store.write, savepoints: 0 }, fn);
    sqlite.exec("COMMIT");
    return result;
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
    throw error;
  }
}

async function savepoint<T>(c: TxContext, fn: (tx: Tx) => T | PromiseLike<T>): Promise<T> {
  const name = `rightsdesk_${++c.savepoints}`;
  const { sqlite, db } = c.write;
  sqlite.exec(`SAVEPOINT ${name}`);
  try {
    const result = await fn(db);
    sqlite.exec(`RELEASE ${name}`);
    return result;
  } catch (error) {
    if (sqlite.inTransaction) {
      sqlite.exec(`ROLLBACK TO ${name}`);
      sqlite.exec(`RELEASE ${name}`);
    }
    throw error;
  }
}

/** The first row of a query (with `LIMIT 1` when it is a select), or undefined. */
export async function first<T>(query: PromiseLike<T[]>): Promise<T | undefined> {
  // Only a select: an update's LIMIT is SQLite's alone (and every update read with first() names one row by its key).
  const rows = await (is(query, SQLiteSelectBase) ? (query as unknown as { limit(n: number): PromiseLike<T[]> }).limit(1) : query);
  return rows[0];
}

/**
 * The rows of a select, locked until the transaction ends, for a
 * read-then-write (a ticket's transition reads its status first). PostgreSQL:
 * FOR UPDATE, inside a transaction (outside one it would lock nothing, so
 * it is a plain read). SQLite: the select, since the transaction already
 * holds the file's only write lock.
 */
export function forUpdate<T>(db: DbOrTx, query: PromiseLike<T[]>): Promise<T[]> {
  return locking(db, query, " for update");
}

/**
 * The rows of a select that no other transaction holds, locked until this
 * one ends: job claims, so that two workers looking for work take different
 * jobs instead of queueing on the same row (PostgreSQL FOR UPDATE SKIP
 * LOCKED; SQLite: the select, its writers already take turns).
 */
export function skipLocked<T>(db: DbOrTx, query: PromiseLike<T[]>): Promise<T[]> {
  return locking(db, query, " for update skip locked");
}

function locking<T>(db: DbOrTx, query: PromiseLike<T[]>, clause: " for update" | " for update skip locked"): Promise<T[]> {
  const store = anyStoreFor(db);
  if ("kind" in store && inPostgresTransaction(store)) return lockingSelect(store, query, clause);
  return Promise.resolve(query);
}

/**
 * Serialises the transactions that take the same key until they end (an
 * audit append reads the chain's head, then writes after it). PostgreSQL:
 * pg_advisory_xact_lock; SQLite: nothing to do, a transaction already holds
 * the file's only write lock.
 */
export async function advisoryXactLock(tx: DbOrTx, key: number): Promise<void> {
  const store = anyStoreFor(tx);
  if (!("kind" in store)) return;
  if (!inPostgresTransaction(store)) throw new TypeError("advisoryXactLock outside a transaction locks nothing");
  await rawPostgres(store, sql`SELECT pg_advisory_xact_lock(${key})`, "all");
}

/**
 * A clock for a worker's pass that reads the database's time (PostgreSQL:
 * one clock for every machine, so a lease taken on one is judged by the same
 * time on another), moving on with this process's own. SQLite: the process's
 * clock (one machine).
 */
export async function databaseClock(db: Db): Promise<() => Date> {
  const store = anyStoreFor(db);
  if (!("kind" in store)) return () => new Date();
  const offset = (await postgresNow(store)) - Date.now();
  return () => new Date(Date.now() + offset);
}

/** A unique or primary key refused the row (SQLite's constraint codes, PostgreSQL's 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code ?? (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "23505";
}

/** How many rows an awaited update or delete changed (SQLite `changes`, PostgreSQL `rowCount`). */
export function changes(result: unknown): number {
  const r = result as { changes?: number | bigint; rowCount?: number | null };
  return Number(r.changes ?? r.rowCount ?? 0);
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

type Prepared<R> = { execute(values?: Record<string, unknown>): PromiseLike<R> };

/**
 * A query drizzle builds once per connection, then runs with new values:
 * building a query costs drizzle more than SQLite takes to run it (about
 * 45 % of a filing's CPU went to building the same eight statements again).
 * `build` puts `sql.placeholder(name)` wherever a value varies and ends with
 * `.prepare()`; `await query(db).execute({ name: value })` gives its rows.
 */
export function preparedQuery<Q extends Prepared<unknown>>(build: (db: DbOrTx) => Q): (db: DbOrTx) => Q {
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
 * `await db.insert(table).values(values)`, through a statement built once
 * per table and set of columns (values are mapped by their columns as usual:
 * dates, JSON, booleans). For the inserts every request makes.
 */
export async function insertRow<T extends SQLiteTable>(db: DbOrTx, table: T, values: T["$inferInsert"]): Promise<void> {
  await preparedInsert(db, table, values as Record<string, unknown>, false).run(values as Record<string, unknown>);
}

/** `first(db.insert(table).values(values).returning())`, prepared as `insertRow` is. */
export async function insertReturning<T extends SQLiteTable>(db: DbOrTx, table: T, values: T["$inferInsert"]): Promise<T["$inferSelect"]> {
  return (await preparedInsert(db, table, values as Record<string, unknown>, true).get(values as Record<string, unknown>)) as T["$inferSelect"];
}

/**
 * Runs `work` in a transaction shared with the other requests that arrive
 * in the same turn of the event loop (and those that queued while the
 * previous writer held the lock), and resolves once that transaction is
 * committed: under load, ten filings pay for one commit, and each page they
 * share (the end of every index, the counters) is written to the WAL once
 * instead of ten times. Each job runs in its own savepoint: one that throws
 * is undone and rejected alone; if the commit itself fails, every job is
 * rejected and none was written. Inside a transaction, `work` joins it.
 */
export function groupCommit<T>(db: Db, work: (tx: Tx) => T | PromiseLike<T>): Promise<T> {
  // PostgreSQL commits concurrent transactions together by itself (and its writers do not take turns).
  if (dialectOf(db) === "pg" || inTransaction(db)) return withTx(db, work);
  const store = storeFor(db);
  return new Promise<T>((resolve, reject) => {
    if (!store.group) {
      store.group = [];
      setImmediate(() => void commitTogether(store));
    }
    store.group.push({ work, resolve: resolve as (value: unknown) => void, reject });
  });
}

async function commitTogether(store: Store) {
  const release = await store.lock.acquire();
  const jobs = store.group ?? [];
  store.group = null;
  const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
  try {
    await transaction(store, async () => {
      const c = shared.context.getStore()!;
      for (const job of jobs) {
        try {
          outcomes.push({ ok: true, value: await savepoint(c, job.work) });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    });
  } catch (error) {
    for (const job of jobs) job.reject(error);
    return;
  } finally {
    release();
  }
  jobs.forEach((job, i) => {
    const outcome = outcomes[i]!;
    if (outcome.ok) job.resolve(outcome.value);
    else job.reject(outcome.error);
  });
}

let instance: { db: Db; close(): void; url: string } | undefined;

/** The process-wide database, opened and migrated on first use. */
export function db(): Db {
  const url = env().DATABASE_URL;
  if (!instance || instance.url !== url) {
    instance?.close();
    const { APP_ENV, DATABASE_POOL_SIZE } = env();
    const opened = openDatabase(url, { production: APP_ENV === "production", poolSize: DATABASE_POOL_SIZE });
    instance = { db: opened.db, close: () => opened.close(), url };
  }
  return instance.db;
}

export function closeDb() {
  instance?.close();
  instance = undefined;
}

/** Rows of a raw SQL query (`sql\`…\``). */
export async function rawAll<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  return (await raw(db, query, "all")).rows as T[];
}

async function raw(db: DbOrTx, query: SQL, method: Method) {
  const any = anyStoreFor(db);
  if ("kind" in any) return rawPostgres(any, query, method);
  const store = any;
  const { sql: text, params } = (store.write.db as unknown as { dialect: { sqlToQuery(q: SQL): { sql: string; params: unknown[] } } }).dialect.sqlToQuery(query);
  return outside(store, text, params, method, true);
}

/** The first row of a raw SQL query, or undefined. */
export async function rawGet<T>(db: DbOrTx, query: SQL): Promise<T | undefined> {
  return (await raw(db, query, "get")).rows as T | undefined;
}

/** Runs a raw SQL statement. */
export async function rawRun(db: DbOrTx, query: SQL): Promise<void> {
  await raw(db, query, "run");
}
