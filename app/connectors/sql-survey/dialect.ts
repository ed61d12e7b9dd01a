import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import mysql from "mysql2/promise";
import pg from "pg";
import { ConnectorUnavailable } from "../types";

/**
 * The one seam between the connector and a database server. SQL is written
 * once with `?` placeholders and quoted identifiers; each driver binds the
 * values as parameters (never spliced into the text). Identifiers come from
 * the validated mapping only, and are checked again here before quoting.
 */
export type Dialect = "sqlite" | "postgres" | "mariadb";
export type Row = Record<string, unknown>;
export type SqlParam = string | number | bigint | boolean | null | Buffer;

export interface SqlDriver {
  readonly dialect: Dialect;
  query(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
  exec(sql: string, params?: readonly SqlParam[]): Promise<{ changes: number }>;
  close(): Promise<void>;
}

export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function quoteIdent(dialect: Dialect, name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return dialect === "mariadb" ? `\`${name}\`` : `"${name}"`;
}

export function placeholders(count: number): string {
  return Array.from({ length: count }, () => "?").join(", ");
}

/** `?` → `$1, $2…`. Safe because our SQL never contains string literals: values are always parameters. */
export function toNumberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * Error text fit for a gather job's status: driver messages can quote the
 * offending value (MariaDB's "Duplicate entry 'a@b.fr'…"), so addresses and
 * numbers are scrubbed, as in our logs.
 */
export function describeError(error: unknown): string {
  const e = error as { message?: string; code?: string; errors?: unknown[] };
  let message = typeof e?.message === "string" && e.message ? e.message : "";
  if (!message && Array.isArray(e?.errors) && e.errors.length) message = describeError(e.errors[0]);
  if (!message) message = e?.code ?? String(error);
  if (e?.code && !message.includes(e.code)) message = `${e.code}: ${message}`;
  return message
    .replace(/[^\s'"`()<>]+@[^\s'"`()<>]+/g, "[email]")
    // Phone-like runs of 8+ digits; a server's dotted IPv4 address stays readable.
    .replace(/\+?\d(?:[ .-]?\d){7,}/g, (run) => (/^\d{1,3}(\.\d{1,3}){3}$/.test(run) ? run : "[number]"))
    .slice(0, 300);
}

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "EAI_AGAIN",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_CANTOPEN",
  // postgres: admin shutdown, cannot connect now, too many connections, statement timeout
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "57014",
]);

/** Connection trouble becomes ConnectorUnavailable (retryable); a wrong mapping or SQL stays a plain error. */
export function classify(error: unknown): Error {
  if (error instanceof ConnectorUnavailable) return error;
  const e = error as { code?: string; errors?: { code?: string }[]; message?: string };
  const code = e?.code ?? e?.errors?.[0]?.code;
  const message = typeof e?.message === "string" ? e.message : "";
  if (
    (code && (UNAVAILABLE_CODES.has(code) || code.startsWith("08"))) ||
    /timeout exceeded when trying to connect|Connection terminated|connect ETIMEDOUT|Query read timeout/i.test(message)
  )
    return new ConnectorUnavailable(`survey database unavailable: ${describeError(error)}`);
  return new Error(`survey database error: ${describeError(error)}`);
}

export type DriverOptions = { poolSize: number; queryTimeoutMs: number };

export function openDriver(dialect: Dialect, url: string, opts: DriverOptions): SqlDriver {
  switch (dialect) {
    case "sqlite":
      return sqliteDriver(sqlitePath(url));
    case "postgres":
      return postgresDriver(url, opts);
    case "mariadb":
      return mariadbDriver(url, opts);
  }
}

/** file:var/demo.sqlite (relative to the working directory), file:/abs/path, file:///abs/path. */
export function sqlitePath(url: string): string {
  if (url.startsWith("file://")) return fileURLToPath(url);
  const p = url.startsWith("file:") ? url.slice("file:".length) : url;
  return path.resolve(p);
}

const sqliteParam = (p: SqlParam) => (typeof p === "boolean" ? (p ? 1 : 0) : p);

/**
 * better-sqlite3 is synchronous; the wrapper only gives it the async shape.
 * Opened on first use and never created: a missing file is the database not
 * being there, not an empty survey.
 */
function sqliteDriver(file: string): SqlDriver {
  let db: Database.Database | undefined;
  const statements = new Map<string, Database.Statement>();

  function open() {
    if (db) return db;
    if (!existsSync(file)) throw new ConnectorUnavailable(`survey database file not found: ${path.relative(process.cwd(), file) || file}`);
    try {
      db = new Database(file, { fileMustExist: true });
      db.pragma("busy_timeout = 5000");
    } catch (error) {
      throw classify(error);
    }
    return db;
  }

  function prepared(sql: string) {
    let stmt = statements.get(sql);
    if (!stmt) {
      if (statements.size > 500) statements.clear();
      stmt = open().prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  }

  return {
    dialect: "sqlite",
    async query(sql, params = []) {
      try {
        const stmt = prepared(sql);
        const bound = params.map(sqliteParam);
        if (stmt.reader) return stmt.all(...bound) as Row[];
        stmt.run(...bound);
        return [];
      } catch (error) {
        throw classify(error);
      }
    },
    async exec(sql, params = []) {
      try {
        const info = prepared(sql).run(...params.map(sqliteParam));
        return { changes: info.changes };
      } catch (error) {
        throw classify(error);
      }
    },
    async close() {
      statements.clear();
      db?.close();
      db = undefined;
    },
  };
}

// Dates and times come back as the text the server sends, so the declared
// formats decide how they are read (node-pg would otherwise build a Date in
// the process's time zone for a DATE column — shifting the day).
const PG_TEXT_TYPES = new Set([1082 /* date */, 1083 /* time */, 1114 /* timestamp */, 1184 /* timestamptz */, 1266 /* timetz */]);
const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    PG_TEXT_TYPES.has(oid) ? (value: string) => value : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format)) as typeof pg.types.getTypeParser,
};

function postgresDriver(url: string, opts: DriverOptions): SqlDriver {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize,
    statement_timeout: opts.queryTimeoutMs,
    connectionTimeoutMillis: Math.min(opts.queryTimeoutMs, 10_000),
    idleTimeoutMillis: 30_000,
    types: pgTypes,
    application_name: "rightsdesk-sql-survey",
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  const run = async (sql: string, params: readonly SqlParam[]) => {
    try {
      return await pool.query(toNumberedPlaceholders(sql), params as unknown[]);
    } catch (error) {
      throw classify(error);
    }
  };
  return {
    dialect: "postgres",
    async query(sql, params = []) {
      return (await run(sql, params)).rows as Row[];
    },
    async exec(sql, params = []) {
      return { changes: (await run(sql, params)).rowCount ?? 0 };
    },
    async close() {
      await pool.end();
    },
  };
}

function mariadbDriver(url: string, opts: DriverOptions): SqlDriver {
  const pool = mysql.createPool({
    uri: url.replace(/^mariadb:/, "mysql:"),
    connectionLimit: opts.poolSize,
    connectTimeout: Math.min(opts.queryTimeoutMs, 10_000),
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    charset: "utf8mb4",
  });
  const run = async (sql: string, params: readonly SqlParam[]) => {
    try {
      // Server-side prepared statements when there are values to bind.
      const options = { sql, timeout: opts.queryTimeoutMs };
      const [result] = params.length ? await pool.execute(options, params as mysql.ExecuteValues[]) : await pool.query(options);
      return result;
    } catch (error) {
      throw classify(error);
    }
  };
  return {
    dialect: "mariadb",
    async query(sql, params = []) {
      const result = await run(sql, params);
      return Array.isArray(result) ? (result as Row[]) : [];
    },
    async exec(sql, params = []) {
      const result = await run(sql, params);
      return { changes: Array.isArray(result) ? 0 : ((result as { affectedRows?: number }).affectedRows ?? 0) };
    },
    async close() {
      await pool.end();
    },
  };
}
