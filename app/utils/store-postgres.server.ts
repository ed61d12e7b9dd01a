import { createTableRelationsHelpers, extractTablesRelationalConfig, getTableColumns, is, Param, sql, SQL, type Query } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { SQLiteRemoteSession, SqliteRemoteDatabase } from "drizzle-orm/sqlite-proxy";
import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import * as schema from "../../db/schema";
import { renderingFor } from "./sql-dialect.server";

/**
 * The store on PostgreSQL (ADR 0020). Services keep building queries with
 * drizzle's SQLite builder over db/schema; this driver renders them for
 * PostgreSQL ($n parameters, DEFAULT for generated keys, the dialect's own
 * functions through sql-dialect.server.ts) and runs them on a pool. The
 * tables themselves come from db/schema-pg and db/migrations-pg.
 * - A transaction is one pooled connection, READ COMMITTED, carried by
 *   AsyncLocalStorage; a nested `withTx` is a savepoint. A transaction that
 *   fails on a deadlock or a serialisation error is run again, whole.
 * - Outside a transaction each statement is its own (autocommit), on any
 *   connection of the pool.
 * - Rows lock where the services say so (`lockForUpdate`, `claimSkipLocked`,
 *   `advisoryXactLock` in sql-dialect.server.ts), not by a global writer.
 */
export type PgStore = {
  kind: "pg";
  url: string;
  pool: pg.Pool;
  handle: SqliteRemoteDatabase<typeof schema>;
  dialect: PgRenderingDialect;
  /** migrated (or checked, in production) before the first statement runs */
  ready: Promise<void>;
  close(): Promise<void>;
};

type Ctx = { store: PgStore; client: pg.PoolClient; savepoints: number };
const context: AsyncLocalStorage<Ctx> = ((globalThis as Record<symbol, unknown>)[Symbol.for("rightsdesk.store.pg")] ??=
  new AsyncLocalStorage<Ctx>()) as never;

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** db/<name> (migrations, migrations-pg), found from this file whether it runs from app/ or build/server/. */
export function migrationsFolderNamed(name: "migrations" | "migrations-pg"): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "db", name);
    if (existsSync(path.join(candidate, "meta", "_journal.json"))) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve("db", name);
}

/**
 * drizzle's SQLite dialect, rendering for PostgreSQL: numbered parameters,
 * DEFAULT (not NULL) for an integer primary key left out of an insert, and
 * the PostgreSQL side of every function of sql-dialect.server.ts.
 */
class PgRenderingDialect extends SQLiteAsyncDialect {
  /** appended to the next query rendered (a select's locking clause), then cleared */
  suffix = "";

  override escapeParam(num: number): string {
    return `$${num + 1}`;
  }

  override buildInsertQuery(args: Parameters<SQLiteAsyncDialect["buildInsertQuery"]>[0]): SQL {
    if (!args.select && Array.isArray(args.values)) {
      const generated = Object.entries(getTableColumns(args.table))
        .filter(([, col]) => col.primary && col.getSQLType() === "integer")
        .map(([key]) => key);
      if (generated.length > 0) {
        args = {
          ...args,
          values: (args.values as Record<string, unknown>[]).map((row) => {
            const copy = { ...row };
            for (const key of generated) {
              const v = copy[key];
              if (v === undefined || (is(v, Param) && v.value === undefined)) copy[key] = sql`default`;
            }
            return copy;
          }) as never,
        };
      }
    }
    return super.buildInsertQuery(args);
  }

  override sqlToQuery(query: SQL, invokeSource?: "indexes"): Query {
    const rendered = renderingFor("pg", () => super.sqlToQuery(query, invokeSource));
    if (this.suffix) {
      rendered.sql += this.suffix;
      this.suffix = "";
    }
    // SQLite's builder names a conflict target's columns with their table ("t"."c"); PostgreSQL takes bare names.
    if (rendered.sql.includes(" on conflict ("))
      rendered.sql = rendered.sql.replace(/ on conflict \(([^()]*)\)/g, (_, columns: string) => ` on conflict (${columns.replace(/"[^"]+"\./g, "")})`);
    return rendered;
  }
}

/** Numbers for bigint (epoch milliseconds, counts) and numeric (sums), as SQLite gives them. */
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as never);
  },
};

type Method = "run" | "all" | "values" | "get";

export function openPostgres(url: string, opts: { poolSize: number; production: boolean }): PgStore {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize, types: types as never, allowExitOnIdle: true });
  // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  const dialect = new PgRenderingDialect();
  const tables = extractTablesRelationalConfig(schema, createTableRelationsHelpers);
  const store = { kind: "pg", url, pool, dialect } as PgStore;
  const session = new SQLiteRemoteSession(
    (text, params, method) => run(store, text, params, method as Method) as never,
    dialect,
    { fullSchema: schema, schema: tables.tables, tableNamesMap: tables.tableNamesMap },
    undefined,
    {},
  );
  store.handle = new SqliteRemoteDatabase("async", dialect, session as never, { fullSchema: schema, schema: tables.tables, tableNamesMap: tables.tableNamesMap } as never) as never;
  store.ready = opts.production ? checkMigrated(url) : migratePostgres(url).then(() => undefined);
  // Rejections are reported by the first statement (and by databaseReady at start-up), not as unhandled.
  store.ready.catch(() => undefined);
  store.close = () => pool.end();
  return store;
}

async function run(store: PgStore, text: string, params: unknown[], method: Method, objects = false) {
  await store.ready;
  const c = context.getStore();
  const on = c && c.store === store ? c.client : store.pool;
  // Named: each connection parses and plans a statement once, then only binds it (the same few dozen
  // statements make up nearly every request, as with SQLite's statement cache). Not hand-written SQL nor
  // long texts (a copy's many-row inserts): a named statement stays on its connection until it closes.
  const named = !objects && text.length <= 4_096;
  const result = await on.query({ name: named ? statementName(text) : undefined, text, values: params, rowMode: objects ? undefined : "array" } as pg.QueryConfig);
  if (method === "run") return { rows: [], changes: result.rowCount ?? 0 };
  if (method === "get") return { rows: result.rows[0] };
  return { rows: result.rows };
}

const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `rd_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    if (names.size < 2_000) names.set(text, name);
  }
  return name;
}

/** A raw statement (`rawAll`/`rawGet`/`rawRun`): rows as objects keyed by column name. */
export async function rawPostgres(store: PgStore, query: SQL, method: Method) {
  const { sql: text, params } = store.dialect.sqlToQuery(query);
  return run(store, text, params, method, true);
}

/**
 * Runs a select with a locking clause (" for update", " for update skip
 * locked"): drizzle renders a query synchronously when it is executed, so
 * the clause is set for exactly that rendering.
 */
export function lockingSelect<T>(store: PgStore, query: PromiseLike<T[]>, clause: " for update" | " for update skip locked"): Promise<T[]> {
  store.dialect.suffix = clause;
  try {
    return (query as unknown as { execute(): Promise<T[]> }).execute();
  } finally {
    store.dialect.suffix = "";
  }
}

/** The database's clock, in epoch milliseconds. */
export async function postgresNow(store: PgStore): Promise<number> {
  const { rows } = await rawPostgres(store, sql`SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now`, "all");
  return Number((rows as { now: number }[])[0]!.now);
}

export function inPostgresTransaction(store: PgStore): boolean {
  return context.getStore()?.store === store;
}

/** SQLSTATEs after which a transaction may simply be run again. */
const RETRYABLE = new Set(["40001", "40P01"]);
const ATTEMPTS = 8;

/**
 * Runs `fn` in one transaction on one pooled connection, committed before it
 * resolves. Inside another, a savepoint. A deadlock or serialisation failure
 * (the whole transaction was rolled back by PostgreSQL) runs `fn` again after
 * a short random pause, up to ATTEMPTS times: keep `fn` free of effects
 * outside the database, as every `withTx` already is.
 */
export async function withPostgresTx<T>(store: PgStore, fn: () => T | PromiseLike<T>): Promise<T> {
  const outer = context.getStore();
  if (outer && outer.store === store) return savepoint(outer, fn);
  await store.ready;
  for (let attempt = 1; ; attempt++) {
    const client = await store.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await context.run({ store, client, savepoints: 0 }, fn);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch (rollback) {
        broken = rollback as Error;
      }
      const code = (error as { code?: string }).code;
      if (code && RETRYABLE.has(code) && attempt < ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
        continue;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

async function savepoint<T>(c: Ctx, fn: () => T | PromiseLike<T>): Promise<T> {
  const name = `rightsdesk_${++c.savepoints}`;
  await c.client.query(`SAVEPOINT ${name}`);
  try {
    const result = await fn();
    await c.client.query(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (error) {
    await c.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
    await c.client.query(`RELEASE SAVEPOINT ${name}`);
    throw error;
  }
}

const MIGRATION_LOCK = 7_362_001; // pg_advisory_lock key: "db migrate" (any constant, the same in every process)

/**
 * Applies db/migrations-pg under a session advisory lock: two processes
 * starting together apply them once (the second waits, then finds nothing
 * left). Creates the database first when it does not exist (C collation:
 * text sorts byte by byte, as SQLite does).
 */
export async function migratePostgres(url: string): Promise<{ applied: number }> {
  await createDatabaseIfMissing(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET client_min_messages = warning");
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    const before = await appliedCount(client);
    await migrate(drizzleNodePg(client), { migrationsFolder: migrationsFolderNamed("migrations-pg"), migrationsSchema: "drizzle" });
    const after = await appliedCount(client);
    return { applied: after - before };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    await client.end();
  }
}

async function appliedCount(client: pg.Client): Promise<number> {
  const exists = await client.query(`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS ok`);
  if (!exists.rows[0].ok) return 0;
  return Number((await client.query(`SELECT count(*) AS n FROM drizzle.__drizzle_migrations`)).rows[0].n);
}

/** The migrations db/migrations-pg holds that the database has not applied (0 when up to date). */
export async function pendingMigrations(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const files = readMigrationFiles({ migrationsFolder: migrationsFolderNamed("migrations-pg") });
    const exists = await client.query(`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS ok`);
    if (!exists.rows[0].ok) return files.length;
    const last = Number((await client.query(`SELECT coalesce(max(created_at), 0) AS at FROM drizzle.__drizzle_migrations`)).rows[0].at);
    return files.filter((m) => m.folderMillis > last).length;
  } finally {
    await client.end();
  }
}

export class UnmigratedDatabase extends Error {}

async function checkMigrated(url: string): Promise<void> {
  const pending = await pendingMigrations(url);
  if (pending > 0)
    throw new UnmigratedDatabase(
      `The PostgreSQL database has ${pending} migration(s) to apply: run \`npm run -s cli -- db migrate\` (with the same DATABASE_URL) before starting RightsDesk.`,
    );
}

async function createDatabaseIfMissing(url: string) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ""));
  if (!name) return;
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  try {
    await client.connect();
  } catch {
    return; // no access to the maintenance database: the target must exist already
  }
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) {
      await client
        .query(`CREATE DATABASE "${name.replace(/"/g, '""')}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`)
        .catch((error: { code?: string }) => {
          // created meanwhile by another process (42P04, or 23505 when both got as far as the catalogue)
          if (error.code !== "42P04" && error.code !== "23505") throw error;
        });
    }
  } finally {
    await client.end();
  }
}
