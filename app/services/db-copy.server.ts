import { getTableName, is, sql, type SQL } from "drizzle-orm";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { existsSync } from "node:fs";
import * as schema from "../../db/schema";
import { databaseReady, dialectOf, openDatabase, rawAll, rawGet, rawRun, withTx, type Db, type OpenDatabase } from "../utils/db.server";
import { isPostgresUrl } from "../utils/store-postgres.server";
import { verifyChain, type ChainHead } from "./audit.server";

/**
 * Moving an installation from SQLite to PostgreSQL (issue 18, docs/operations.md
 * "Moving from SQLite to PostgreSQL"): every table of db/schema copied with
 * its raw column values (the audit details stay the exact bytes that were
 * hashed), in one target transaction, so a copy that fails half way leaves
 * the target as empty as it found it; then the target is checked against the
 * source. The source is read inside one of its own write transactions: its
 * other writers wait, and what is copied is one consistent state.
 */

/** Why a copy did not start or did not finish; `message` names tables and counts, never values. */
export class CopyRefused extends Error {}

export type CopyCheck = { ok: boolean; line: string };
export type CopyReport = { checks: CopyCheck[]; ok: boolean };

/** Rows per INSERT, lowered for wide tables so a statement stays under PostgreSQL's 65,535 parameters. */
const BATCH_ROWS = 1_000;
const MAX_PARAMS = 60_000;

/** Kept by triggers on `requests` in PostgreSQL: compared after the copy, never copied. */
const DERIVED = new Set(["request_counts"]);
/** Seeded by the PostgreSQL migrations: the source's rows replace the seed's. */
const SEEDED = new Set(["sites"]);

type TableInfo = { name: string; columns: string[]; key: string[] };

/** The tables of db/schema, parents before the tables that reference them. */
export function tablesInCopyOrder(): TableInfo[] {
  const tables = (Object.values(schema) as unknown[]).filter((t): t is SQLiteTable => is(t, SQLiteTable));
  const byName = new Map(tables.map((t) => [getTableName(t), t]));
  const ordered: TableInfo[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") throw new Error(`foreign keys form a cycle through ${name}`);
    state.set(name, "visiting");
    const config = getTableConfig(byName.get(name)!);
    for (const fk of config.foreignKeys) {
      const parent = getTableName(fk.reference().foreignTable);
      if (parent !== name) visit(parent);
    }
    const key = config.columns.filter((c) => c.primary).map((c) => c.name);
    for (const pk of config.primaryKeys) key.push(...pk.columns.map((c) => c.name));
    ordered.push({ name, columns: config.columns.map((c) => c.name), key });
    state.set(name, "done");
  };
  // The seeded reference tables first: requests name their site.
  for (const name of [...SEEDED, ...[...byName.keys()].sort()]) visit(name);
  return ordered;
}

const ident = (name: string) => sql.identifier(name);
const list = (names: string[]) => sql.join(names.map(ident), sql`, `);

async function count(db: Db, table: string): Promise<number> {
  const row = await rawGet<{ n: number | string }>(db, sql`SELECT count(*) AS n FROM ${ident(table)}`);
  return Number(row?.n ?? 0);
}

type PgColumn = { table_name: string; column_name: string; data_type: string };

/** A SQLite value as the target column takes it: 0/1 become booleans; numbers, text and Buffers pass as they are. */
function converter(type: string): (v: unknown) => unknown {
  if (type === "boolean") return (v) => (v === null || v === undefined ? null : v === true || v === 1 || v === 1n || v === "1");
  if (type === "bigint" || type === "integer" || type === "smallint") return (v) => (typeof v === "bigint" ? v.toString() : v);
  return (v) => v;
}

/** Where a URL points, fit for a log line: the database's name, never credentials or a file path. */
export function describeTarget(url: string): string {
  const u = new URL(url);
  return `${u.hostname}${u.port ? `:${u.port}` : ""}/${decodeURIComponent(u.pathname.slice(1))}`;
}

/**
 * Copies the SQLite installation at `fromUrl` into the (empty) PostgreSQL
 * database at `toUrl`, creating and migrating it when needed, then checks it.
 * Throws CopyRefused (nothing copied) when the target already holds rows or
 * the source's audit chain is broken; resolves with one line per check.
 */
export async function copyInstallation(opts: { fromUrl: string; toUrl: string; log?: (line: string) => void }): Promise<CopyReport> {
  const log = opts.log ?? (() => undefined);
  const file = opts.fromUrl.replace(/^file:/, "");
  if (!existsSync(file)) throw new CopyRefused("--from: there is no SQLite database at that path (nothing copied)");
  let source: OpenDatabase | undefined;
  let target: OpenDatabase | undefined;
  try {
    source = openDatabase(opts.fromUrl);
    target = openDatabase(opts.toUrl);
    if (dialectOf(target.db) !== "pg" || dialectOf(source.db) !== "sqlite") throw new CopyRefused("copy goes from SQLite to PostgreSQL");
    await databaseReady(target.db);
    const tables = tablesInCopyOrder();
    const src = source.db;
    const dst = target.db;

    const snapshot = await withTx(src, async () => {
      const chain = await verifyChain(src);
      if (!chain.ok) throw new CopyRefused(`the source's audit chain is broken at entry ${chain.brokenAt} (${chain.reason}): run audit verify on it; nothing copied`);
      const counts = new Map<string, number>();
      for (const t of tables) counts.set(t.name, await count(src, t.name));

      await withTx(dst, async () => {
        const held: string[] = [];
        for (const t of tables) {
          if (DERIVED.has(t.name) || SEEDED.has(t.name)) continue;
          const n = await count(dst, t.name);
          if (n > 0) held.push(`${t.name} ${n}`);
        }
        if (held.length) throw new CopyRefused(`the target database is not empty (${held.join(", ")}): a copy goes into a new installation; nothing copied`);

        const pgColumns = await rawAll<PgColumn>(
          dst,
          sql`SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()`,
        );
        const typeOf = new Map(pgColumns.map((c) => [`${c.table_name}.${c.column_name}`, c.data_type]));
        for (const t of tables) {
          if (DERIVED.has(t.name)) continue;
          const missing = t.columns.filter((c) => !typeOf.has(`${t.name}.${c}`));
          if (missing.length) throw new CopyRefused(`the target's table ${t.name} lacks column(s) ${missing.join(", ")}: are both at the same version?`);
          const n = await copyTable(src, dst, t, t.columns.map((c) => converter(typeOf.get(`${t.name}.${c}`)!)));
          log(`copied ${t.name} ${n}`);
        }

        // Explicit ids were inserted: move each identity's sequence past them.
        const identities = await rawAll<{ table_name: string; column_name: string }>(
          dst,
          sql`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'`,
        );
        for (const { table_name: table, column_name: column } of identities) {
          await rawRun(
            dst,
            sql`SELECT setval(pg_get_serial_sequence(${`"${table}"`}, ${column}), max(${ident(column)})) FROM ${ident(table)} HAVING max(${ident(column)}) IS NOT NULL`,
          );
        }
      });
      return { counts, head: chain.head };
    });

    return await check(dst, tables, snapshot);
  } finally {
    source?.close();
    target?.close();
    await target?.closed;
  }
}

async function copyTable(src: Db, dst: Db, t: TableInfo, convert: ((v: unknown) => unknown)[]): Promise<number> {
  const batch = Math.max(1, Math.min(BATCH_ROWS, Math.floor(MAX_PARAMS / t.columns.length)));
  const upsert: SQL =
    SEEDED.has(t.name) && t.key.length
      ? sql` ON CONFLICT (${list(t.key)}) DO UPDATE SET ${sql.join(
          t.columns.filter((c) => !t.key.includes(c)).map((c) => sql`${ident(c)} = EXCLUDED.${ident(c)}`),
          sql`, `,
        )}`
      : sql``;
  let after = Number.MIN_SAFE_INTEGER;
  let copied = 0;
  for (;;) {
    // Keyset pages over SQLite's rowid: each one an index seek, however far in.
    const rows = await rawAll<Record<string, unknown>>(
      src,
      sql`SELECT rowid AS "__rowid", ${list(t.columns)} FROM ${ident(t.name)} WHERE rowid > ${after} ORDER BY rowid LIMIT ${batch}`,
    );
    if (!rows.length) break;
    const values = rows.map((row) => sql`(${sql.join(t.columns.map((c, i) => sql`${convert[i]!(row[c])}`), sql`, `)})`);
    await rawRun(dst, sql`INSERT INTO ${ident(t.name)} (${list(t.columns)}) VALUES ${sql.join(values, sql`, `)}${upsert}`);
    copied += rows.length;
    after = Number(rows[rows.length - 1]!.__rowid);
    if (rows.length < batch) break;
  }
  return copied;
}

/** The target, committed, against what was read from the source: one line per check. */
async function check(dst: Db, tables: TableInfo[], source: { counts: Map<string, number>; head: ChainHead | null }): Promise<CopyReport> {
  const checks: CopyCheck[] = [];
  for (const t of tables) {
    if (DERIVED.has(t.name)) continue;
    const want = source.counts.get(t.name) ?? 0;
    const got = await count(dst, t.name);
    checks.push({ ok: want === got, line: `${t.name} ${want} ${want === got ? "=" : "≠"} ${got}` });
  }

  const kept = await rawAll<{ site: string; status: string; n: number | string }>(dst, sql`SELECT site, status, n FROM request_counts WHERE n <> 0`);
  const grouped = await rawAll<{ site: string; status: string; n: number | string }>(
    dst,
    sql`SELECT coalesce(site, '') AS site, status, count(*) AS n FROM requests GROUP BY coalesce(site, ''), status`,
  );
  const asText = (rows: { site: string; status: string; n: number | string }[]) =>
    rows
      .map((r) => `${r.site}|${r.status}|${Number(r.n)}`)
      .sort()
      .join("\n");
  const countsOk = asText(kept) === asText(grouped);
  checks.push({
    ok: countsOk,
    line: countsOk
      ? `request_counts match the requests (${grouped.length} site and status pairs)`
      : "request_counts differ from a count of the requests by site and status",
  });

  const chain = await verifyChain(dst);
  const head = (h: ChainHead | null) => (h ? `${h.seq}:${h.hash}` : "empty");
  if (!chain.ok) checks.push({ ok: false, line: `audit chain broken at ${chain.brokenAt} (${chain.reason})` });
  else {
    const same = head(chain.head) === head(source.head);
    checks.push({
      ok: same,
      line: same ? `audit chain ok, ${chain.count} entries, head ${head(chain.head)} = source's` : `audit head ${head(chain.head)} ≠ source's ${head(source.head)}`,
    });
  }
  return { checks, ok: checks.every((c) => c.ok) };
}

/** The kinds of URL `db copy` takes; a wrong one is a usage error. */
export function copyUrlProblem(from: unknown, to: unknown): string | null {
  if (typeof from !== "string" || typeof to !== "string" || !from || !to) return "db copy needs --from <file:…sqlite> --to <postgres://…>";
  if (!/^file:.+/.test(from) || from === "file::memory:") return "--from must be a SQLite database URL (file:path/to/rightsdesk.sqlite)";
  if (!isPostgresUrl(to)) return "--to must be a PostgreSQL URL (postgres://user@host:5432/database)";
  try {
    if (!new URL(to).pathname.slice(1)) return "--to must name a database (postgres://user@host:5432/database)";
  } catch {
    return "--to must be a PostgreSQL URL (postgres://user@host:5432/database)";
  }
  return null;
}
