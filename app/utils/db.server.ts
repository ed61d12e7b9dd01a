import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
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
  cacheStatements(sqlite);
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: migrationsFolder() });
  return { db, sqlite };
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
