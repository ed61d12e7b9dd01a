import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { LocalBlobStore, PgBlobStore } from "../app/utils/blob-store.server";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { openDatabase, rawRun } from "../app/utils/db.server";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { dropPostgresDatabase, freshPostgresDatabase, PG_ADMIN_URL, postgresProbe } from "./helpers/postgres";
import { cli, cliEnv } from "./helpers/processes";
import { fileOne, verifiedByEmail } from "./helpers/requester";
import { signedIn } from "./helpers/staff";

/**
 * Moving an installation (issue 18): a SQLite installation used through the
 * app, copied by `npm run -s cli -- db copy` (a real process) into a new
 * PostgreSQL database, which the app then runs on.
 */
const REQUIRE = process.env.REQUIRE_SERVICES === "1";

const why = await postgresProbe();
if (why && !REQUIRE)
  console.warn(`[db-copy] skipping: PostgreSQL at ${new URL(PG_ADMIN_URL).host} is not reachable (${why}). Set TEST_POSTGRES_URL, or REQUIRE_SERVICES=1 to make this a failure.`);

const ARCHIVE_KEY = "archives/1-1795000000000-access.zip.enc";
const ARCHIVE_BYTES = randomBytes(3_000_000);

const headOf = (stdout: string) => /head (\d+:\S+)/.exec(stdout)?.[1];

async function countRows(url: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0].n);
  } finally {
    await client.end();
  }
}

describe.skipIf(why !== null && !REQUIRE)("npm run -s cli -- db copy", () => {
  let dir: string;
  let source: string;
  let target: string;
  let references: string[];
  let copy: Awaited<ReturnType<typeof cli>>;
  const note = "Appel reçu, périmètre confirmé : « accès » aux données — 100 %";

  beforeAll(async () => {
    if (why) throw new Error(`PostgreSQL is required (REQUIRE_SERVICES=1) but ${PG_ADMIN_URL} is not reachable (${why})`);
    dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-db-copy-"));
    source = `file:${path.join(dir, "source.sqlite")}`;
    // A real SQLite installation, used the way people use it (even on the suite's PostgreSQL pass).
    const app = await startApp({ env: { DATABASE_URL: source } });
    try {
      const a = await verifiedByEmail(app, { email: "lea.durand@example.fr", lastName: "Durand", firstName: "Léa" });
      const b = await verifiedByEmail(app, { email: "marc.petit@example.fr", lastName: "Petit", firstName: "Marc", rights: ["access", "erasure"] });
      const c = await fileOne(app, { email: "jeanne.roux@example.fr", lastName: "Roux", firstName: "Jeanne" });
      references = [a.reference, b.reference, c.reference];
      const dpo = await signedIn(app, "dpo");
      expect((await dpo.browser.get(`/admin/demandes/${a.reference}`)).status).toBe(200);
      expect((await dpo.browser.post(`/admin/demandes/${a.reference}`, { intent: "start" })).status).toBe(302);
      expect((await dpo.browser.post(`/admin/demandes/${a.reference}`, { intent: "note", body: note })).status).toBe(302);
      expect((await dpo.browser.post(`/admin/demandes/${b.reference}`, { intent: "assign", assigneeId: String(dpo.id) })).status).toBe(302);
      await app.deliver();
    } finally {
      // Writers stop before a copy (docs/operations.md).
      await app.stop();
    }
    // A file the installation holds beside its rows (an archive, encrypted: opaque bytes to the copy).
    await new LocalBlobStore(dir).put(ARCHIVE_KEY, Readable.from([ARCHIVE_BYTES]));
    target = await freshPostgresDatabase("rd_dbcopy");
    copy = await cli(["db", "copy", "--from", source, "--to", target], cliEnv(dir, { DATABASE_URL: undefined }));
  }, 180_000);

  afterAll(async () => {
    if (target) await dropPostgresDatabase(target);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("copies the files under DATA_DIR into the database, byte for byte, readable from any machine", async () => {
    const store = new PgBlobStore(target);
    try {
      expect((await buffer(await store.get(ARCHIVE_KEY))).equals(ARCHIVE_BYTES)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("copies every table and prints one passing line per check", () => {
    expect(copy.stderr).toBe("");
    expect(copy.code).toBe(0);
    expect(copy.stdout).toMatch(/^requests 3 = 3$/m);
    expect(copy.stdout).toMatch(/^staff 1 = 1$/m);
    expect(copy.stdout).toMatch(/^sites 5 = 5$/m);
    expect(copy.stdout).toMatch(/^audit_log (\d+) = \1$/m);
    expect(copy.stdout).toMatch(/^request_counts match the requests/m);
    expect(copy.stdout).toMatch(/^audit chain ok, \d+ entries, head \d+:\S+ = source's$/m);
    expect(copy.stdout).toMatch(/^files: 1 copied into the database's blob store \(3000000 bytes\), 0 already there$/m);
    expect(copy.stdout).toMatch(/copy checked: ok\n$/);
    expect(copy.stdout).not.toMatch(/≠/);
    // No value of a row in the output: the people's names and emails stay in the databases.
    expect(copy.stdout).not.toMatch(/Durand|lea\.durand|example\.fr|reçu/);
  });

  it("leaves an audit chain that audit verify finds intact, with the source's head", async () => {
    const onSqlite = await cli(["audit", "verify"], cliEnv(dir, { DATABASE_URL: source }));
    const onPostgres = await cli(["audit", "verify"], cliEnv(dir, { DATABASE_URL: target }));
    expect(onSqlite.code, onSqlite.stderr).toBe(0);
    expect(onPostgres.code, onPostgres.stderr).toBe(0);
    expect(headOf(onSqlite.stdout)).toBeDefined();
    expect(headOf(onPostgres.stdout)).toBe(headOf(onSqlite.stdout));
    expect(headOf(copy.stdout)).toBe(headOf(onSqlite.stdout));
    expect(onPostgres.stdout).toMatch(/^ok \d+ entries/m);
  });

  it("runs the app on the copy: the people, the notes, and the next reference number", { timeout: 120_000 }, async () => {
    const app: TestApp = await startApp({ env: { DATABASE_URL: target } });
    try {
      const dpo = await signedIn(app, "dpo");
      // The identity (encrypted, bytea now) and the note read back on the ticket page.
      const page = textOf(await (await dpo.browser.get(`/admin/demandes/${references[0]}`)).text());
      expect(page).toContain("lea.durand@example.fr");
      expect(page).toContain(note);
      const { reference } = await fileOne(app, { email: "paul.morel@example.fr", lastName: "Morel", firstName: "Paul" });
      const last = Math.max(...references.map((r) => Number(r.slice(-6))));
      expect(reference).toBe(`${references[0]!.slice(0, 9)}${String(last + 1).padStart(6, "0")}`);
    } finally {
      await app.stop();
    }
    // New rows took new ids past the copied ones, and the chain goes on from the copied head.
    const verify = await cli(["audit", "verify"], cliEnv(dir, { DATABASE_URL: target }));
    expect(verify.code, verify.stderr).toBe(0);
  });

  it("refuses a second copy into the same database and changes nothing", async () => {
    const before = await Promise.all(["requests", "staff", "audit_log"].map((t) => countRows(target, t)));
    const again = await cli(["db", "copy", "--from", source, "--to", target], cliEnv(dir, { DATABASE_URL: undefined }));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/the target database is not empty \(.*requests \d+.*\).*nothing copied/);
    expect(again.stderr).not.toMatch(/example\.fr|Durand/);
    expect(await Promise.all(["requests", "staff", "audit_log"].map((t) => countRows(target, t)))).toEqual(before);
  });

  it("leaves the target empty when the copy fails half way, and a second run then succeeds", { timeout: 120_000 }, async () => {
    // A value PostgreSQL refuses (text with a NUL byte, which SQLite keeps) in a table copied after the requests.
    const broken = path.join(dir, "broken.sqlite");
    const original = openDatabase(source);
    await rawRun(original.db, sql.raw(`VACUUM INTO '${broken.replace(/'/g, "''")}'`));
    original.close();
    const damaged = openDatabase(`file:${broken}`);
    await rawRun(damaged.db, sql`UPDATE request_notes SET body = 'avant' || char(0) || 'après'`);
    const scratch = await freshPostgresDatabase("rd_dbcopy");
    try {
      const env = cliEnv(dir, { DATABASE_URL: undefined });
      const failed = await cli(["db", "copy", "--from", `file:${broken}`, "--to", scratch], env);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/the copy failed: a text holds a character PostgreSQL cannot store .*nothing was committed to the target/);
      expect(failed.stderr + failed.stdout).not.toMatch(/avant|après|example\.fr/);
      expect(failed.stdout).not.toMatch(/copy checked/);
      expect(await Promise.all(["requests", "staff", "audit_log"].map((t) => countRows(scratch, t)))).toEqual([0, 0, 0]);
      // Mended, the same command goes through into the same database.
      await rawRun(damaged.db, sql`UPDATE request_notes SET body = 'avant, après'`);
      const again = await cli(["db", "copy", "--from", `file:${broken}`, "--to", scratch], env);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/^requests 3 = 3$/m);
    } finally {
      damaged.close();
      await dropPostgresDatabase(scratch);
    }
  });

  it("takes only a SQLite source and a PostgreSQL target (usage errors)", async () => {
    const env = cliEnv(dir, { DATABASE_URL: undefined });
    const wrongTo = await cli(["db", "copy", "--from", source, "--to", `file:${path.join(dir, "other.sqlite")}`], env);
    expect(wrongTo.code).toBe(2);
    expect(wrongTo.stderr).toContain("--to must be a PostgreSQL URL");
    const wrongFrom = await cli(["db", "copy", "--from", target, "--to", target], env);
    expect(wrongFrom.code).toBe(2);
    expect(wrongFrom.stderr).toContain("--from must be a SQLite database URL");
    const missing = await cli(["db", "copy", "--from", source], env);
    expect(missing.code).toBe(2);
    const noFile = await cli(["db", "copy", "--from", `file:${path.join(dir, "nowhere.sqlite")}`, "--to", target], env);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain("no SQLite database at that path");
  });
});
