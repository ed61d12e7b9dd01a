import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { migratePostgres } from "../../app/utils/store-postgres.server";

/**
 * The whole suite runs on either store: `TEST_STORE=postgres npm test` puts
 * every test's database on the local PostgreSQL server (TEST_POSTGRES_URL, as for the connector tests; by
 * default postgres://postgres@127.0.0.1:5432), one fresh database per
 * startApp, cloned from a migrated template (a clone takes a few tens of
 * milliseconds where migrating takes a second).
 */
export const onPostgres = process.env.TEST_STORE === "postgres";
export const PG_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** This test run's mark in the names of its databases (tests/global-setup.ts drops them all at the end). */
const RUN = process.env.TEST_RUN_ID ?? `p${process.pid}`;

function urlFor(name: string) {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The template's name changes with the migrations, so an old template is never used. */
function templateName() {
  const dir = path.join(ROOT, "db/migrations-pg");
  const hash = createHash("sha256");
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) hash.update(f).update(readFileSync(path.join(dir, f)));
  return `rd_template_${hash.digest("hex").slice(0, 12)}`;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new, migrated, empty PostgreSQL database; its URL. */
export async function freshPostgresDatabase(prefix = "rd_test"): Promise<string> {
  const template = templateName();
  return admin(async (client) => {
    await client.query("SELECT pg_advisory_lock(7362002)");
    try {
      const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [template]);
      if (found.rowCount === 0) {
        // Templates of older migrations are of no further use.
        const old = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'rd\\_template\\_%' AND datname <> $1", [template]);
        for (const { datname } of old.rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
        const building = `${template}_building`;
        await client.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
        await client.query(`CREATE DATABASE ${building} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
        await migratePostgres(urlFor(building));
        await client.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock(7362002)");
    }
    const name = `${prefix}_${RUN}_${randomBytes(4).toString("hex")}`;
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    return urlFor(name);
  });
}

/** A new database with nothing in it (not migrated): what an operator creates before `db migrate`. */
export async function createEmptyDatabase(url: string) {
  const name = new URL(url).pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error("not a test database name");
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
}

export async function dropPostgresDatabase(url: string) {
  const name = new URL(url).pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error("not a test database name");
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Null when the server at `url` answers a query within 3 s, else the reason (its message or code). */
export async function postgresProbe(url = PG_ADMIN_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    // A refused connection on both loopback addresses is an AggregateError with an empty message.
    const e = error as { message?: string; code?: string; errors?: { message?: string }[] };
    return e.message || e.errors?.[0]?.message || e.code || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Null when the PostgreSQL server answers, else why not. Suites that need it
 * skip with that reason on a machine without it, and fail under
 * REQUIRE_SERVICES=1 (CI).
 */
export async function postgresUnavailable(opts: { quiet?: boolean } = {}): Promise<string | null> {
  const reason = await postgresProbe();
  {
    if (reason === null) return null;
    const why = `PostgreSQL is not reachable at ${new URL(PG_ADMIN_URL).host} (${reason})`;
    if (opts.quiet) return why;
    if (process.env.REQUIRE_SERVICES === "1") throw new Error(`${why}: it is required here (REQUIRE_SERVICES=1)`);
    console.warn(`skipped: ${why}`);
    return why;
  }
}

/** Drops every database this run created (its names carry TEST_RUN_ID), whatever test left it. */
export async function dropRunDatabases(): Promise<number> {
  if (!process.env.TEST_RUN_ID) return 0;
  return admin(async (client) => {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [`rd\\_%\\_${process.env.TEST_RUN_ID}\\_%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    return rows.length;
  });
}
