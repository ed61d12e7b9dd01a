/**
 * `npm run bench` on PostgreSQL: which stores to measure, throw-away
 * databases on the local server, and the bulk load of the tickets.
 *
 * BENCH_STORE=sqlite|postgres|both; unset, both when PostgreSQL answers at
 * BENCH_PG_URL (by default postgres://postgres@127.0.0.1:5432), else SQLite
 * alone with a note saying why. Every database made here is named
 * rd_bench_<pid>_<random>_<label> and dropped by dropBenchDatabases.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { migratePostgres } from "../app/utils/store-postgres.server";

export type BenchStore = "sqlite" | "postgres";
export const STORE_LABEL: Record<BenchStore, string> = { sqlite: "SQLite", postgres: "PostgreSQL" };

/** The server's URL with `name` as its database (BENCH_PG_URL may name one or none). */
function urlFor(name: string) {
  const url = new URL(process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432");
  url.pathname = `/${name}`;
  return url.toString();
}

async function reachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: urlFor("postgres"), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (e) {
    return (e as Error).message || String(e);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The stores this run measures, from BENCH_STORE; throws when PostgreSQL is asked for and does not answer. */
export async function benchStores(): Promise<BenchStore[]> {
  const asked = process.env.BENCH_STORE ?? "";
  if (!["", "sqlite", "postgres", "both"].includes(asked)) throw new Error(`BENCH_STORE must be sqlite, postgres or both (not ${asked})`);
  if (asked === "sqlite") return ["sqlite"];
  const where = new URL(urlFor("postgres"));
  const unreachable = await reachable();
  if (unreachable) {
    if (asked) throw new Error(`BENCH_STORE=${asked}: PostgreSQL does not answer at ${where.host} (${unreachable}); set BENCH_PG_URL`);
    console.log(`note: PostgreSQL does not answer at ${where.host} (${unreachable}): measuring SQLite only (BENCH_PG_URL sets the server, BENCH_STORE=sqlite silences this)`);
    return ["sqlite"];
  }
  return asked === "postgres" ? ["postgres"] : ["sqlite", "postgres"];
}

const created: string[] = [];

/** A new database migrated with db/migrations-pg (or left empty with `migrated: false`); its URL. */
export async function freshBenchDatabase(label: string, opts: { migrated?: boolean } = {}): Promise<string> {
  const name = `rd_bench_${process.pid}_${randomBytes(3).toString("hex")}_${label}`;
  const url = urlFor(name);
  created.push(name);
  if (opts.migrated === false) await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`));
  else await migratePostgres(url);
  return url;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlFor("postgres") });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops every database this process made (FORCE: a server still holding a connection does not keep it). */
export async function dropBenchDatabases() {
  if (!created.length) return;
  await admin(async (c) => {
    for (const name of created.splice(0)) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}

/**
 * Loads `count` rows into requests in one transaction, as multi-row INSERTs
 * of 1,000, with the request_counts insert trigger off; then rebuilds
 * request_counts from the table (what the trigger would have left, without
 * 100k row-level upserts on ten count rows) and VACUUM ANALYZEs.
 */
export async function bulkLoadRequests(url: string, columns: string[], count: number, row: (i: number) => unknown[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query("ALTER TABLE requests DISABLE TRIGGER request_counts_insert");
    const batch = 1000;
    for (let start = 0; start < count; start += batch) {
      const values: unknown[] = [];
      const tuples: string[] = [];
      for (let i = start; i < Math.min(count, start + batch); i++) {
        const r = row(i);
        tuples.push(`(${r.map((_, k) => `$${values.length + k + 1}`).join(", ")})`);
        values.push(...r);
      }
      await client.query(`INSERT INTO requests (${columns.join(", ")}) VALUES ${tuples.join(", ")}`, values);
    }
    await client.query("DELETE FROM request_counts");
    await client.query("INSERT INTO request_counts (site, status, n) SELECT coalesce(site, ''), status, count(*) FROM requests GROUP BY 1, 2");
    await client.query("ALTER TABLE requests ENABLE TRIGGER request_counts_insert");
    await client.query("COMMIT");
    // What autovacuum leaves on a live database: statistics, and the visibility map that lets the
    // queue's counts read their index alone (right after a bulk load every count would visit the heap).
    await client.query("VACUUM ANALYZE");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
}
