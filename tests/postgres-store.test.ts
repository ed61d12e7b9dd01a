import { getTableConfig as pgTableConfig, PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { eq, is, sql } from "drizzle-orm";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as sqliteSchema from "../db/schema";
import * as pgSchema from "../db/schema-pg";
import { auditLog, requests } from "../db/schema";
import { append, verifyChain } from "../app/services/audit.server";
import { findLink, issueLink, markUsed } from "../app/services/verification.server";
import { resetEnvForTests } from "../app/utils/env.server";
import { first, forUpdate, openDatabase, rawAll, rawGet, rawRun, skipLocked, withTx, type OpenDatabase } from "../app/utils/db.server";
import { referenceNumberEquals } from "../app/utils/sql-dialect.server";
import { cli, cliEnv, run } from "./helpers/processes";
import { createEmptyDatabase, dropPostgresDatabase, freshPostgresDatabase, PG_ADMIN_URL, postgresUnavailable } from "./helpers/postgres";

/**
 * The PostgreSQL store itself (ADR 0020); the whole suite also runs on it
 * (TEST_STORE=postgres in .ci/run). Always on PostgreSQL, whatever TEST_STORE.
 */
const unavailable = await postgresUnavailable();
const SECRET = "test-secret-that-is-long-enough-for-hkdf-0123456789";

describe("the PostgreSQL schema derived from SQLite's", () => {
  it("names the same tables and columns, with the same keys and nullability", () => {
    const shape = (cfg: { name: string; columns: { name: string; notNull: boolean; primary: boolean }[] }) => ({
      table: cfg.name,
      columns: cfg.columns.map((c) => `${c.name}${c.notNull ? " not null" : ""}${c.primary ? " primary" : ""}`).sort(),
    });
    const sqliteTables = Object.values(sqliteSchema).filter((t) => is(t, SQLiteTable)).map((t) => shape(sqliteTableConfig(t as SQLiteTable)));
    const pgTables = Object.values(pgSchema).filter((t) => is(t, PgTable)).map((t) => shape(pgTableConfig(t as PgTable)));
    const byName = (a: { table: string }, b: { table: string }) => a.table.localeCompare(b.table);
    // The blob store's tables exist on PostgreSQL only (ADR 0021).
    expect(pgTables.filter((t) => !t.table.startsWith("blob")).sort(byName)).toEqual(sqliteTables.sort(byName));
    expect(sqliteTables.length).toBeGreaterThan(30);
  });
});

describe.skipIf(unavailable !== null)("the PostgreSQL store", () => {
  let url: string;
  let store: OpenDatabase;
  const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-pg-"));
  beforeAll(async () => {
    Object.assign(process.env, { APP_SECRET: SECRET, BASE_URL: "http://127.0.0.1:9", DATA_DIR: dir });
    resetEnvForTests();
    url = await freshPostgresDatabase();
    store = openDatabase(url);
  });
  afterAll(async () => {
    store.close();
    await store.closed;
    await dropPostgresDatabase(url);
    rmSync(dir, { recursive: true, force: true });
  });

  const newRequest = (n: number, at: Date) => ({
    reference: `DSR-2026-${String(n).padStart(6, "0")}`,
    rights: ["access" as const],
    channel: "web" as const,
    status: "received" as const,
    locale: "fr" as const,
    lastName: "Martin",
    firstName: "Léa",
    verificationMethod: "email" as const,
    receivedAt: at,
    createdAt: at,
    updatedAt: at,
  });

  it("keeps timestamps to the millisecond, booleans as booleans and keys generated", async () => {
    const at = new Date("2026-03-29T00:59:59.987Z");
    await withTx(store, async (tx) => {
      await tx.insert(requests).values(newRequest(1, at));
    });
    const row = await first(store.db.select().from(requests).where(eq(requests.reference, "DSR-2026-000001")));
    expect(row?.receivedAt.toISOString()).toBe("2026-03-29T00:59:59.987Z");
    expect(row?.id).toBe(1);
    expect(row?.onBehalf).toBe(false);
    const raw = await rawGet<{ t: string; b: string }>(store.db, sql`SELECT pg_typeof(received_at)::text AS t, pg_typeof(on_behalf)::text AS b FROM requests LIMIT 1`);
    expect(raw).toEqual({ t: "bigint", b: "boolean" });
  });

  it("finds a reference by its number through right(reference, 6), and the index serves it", async () => {
    await withTx(store, async (tx) => {
      for (let n = 2; n <= 40; n++) await tx.insert(requests).values(newRequest(n * 1000 + 123, new Date()));
    });
    const found = await store.db.select({ reference: requests.reference }).from(requests).where(referenceNumberEquals(requests.reference, "7123"));
    expect(found).toEqual([{ reference: "DSR-2026-007123" }]);
    const plan = await withTx(store, async (tx) => {
      await rawRun(tx, sql`SET LOCAL enable_seqscan = off`);
      return rawAll<{ "QUERY PLAN": string }>(tx, sql`EXPLAIN SELECT id FROM requests WHERE ${referenceNumberEquals(requests.reference, "7123")}`);
    });
    expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toContain("requests_ref_number_idx");
  });

  it("stores the audit details as the exact text that was hashed, and keeps the chain from concurrent appends", async () => {
    const at = new Date();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        withTx(store, async (tx) => {
          await append(tx, { actor: { kind: "system" }, action: "retention.run", details: { i, note: "a  b" }, at });
        }),
      ),
    );
    const rows = await rawAll<{ seq: number; details: string }>(store.db, sql`SELECT seq, details FROM audit_log ORDER BY seq`);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(rows[0]!.details).toMatch(/^\{"i":\d+,"note":"a  b"\}$/);
    expect(await verifyChain(store.db)).toMatchObject({ ok: true, count: 30 });
    // The sequence is the primary key: a second entry 30 is an error, never a fork.
    await expect(rawRun(store.db, sql`INSERT INTO audit_log (seq, at, actor_kind, action, details, prev_hash, hash) VALUES (30, 0, 'system', 'x', '{}', '', '')`)).rejects.toThrow();
    await expect(rawRun(store.db, sql`UPDATE audit_log SET action = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    expect(await first(store.db.select({ n: sql<number>`count(*)` }).from(auditLog))).toEqual({ n: 30 });
  });

  it("audit verify finds a row edited, then one deleted, by someone who disabled the triggers as the database's owner", async () => {
    const env = cliEnv(dir, { APP_SECRET: SECRET, DATABASE_URL: url });
    const intact = await cli(["audit", "verify"], env);
    expect(intact.stdout).toContain("ok 30 entries");
    await rawRun(store.db, sql`ALTER TABLE audit_log DISABLE TRIGGER USER`);
    try {
      // The same meaning, other bytes: what was hashed is the text, so this is an edit.
      await rawRun(store.db, sql`UPDATE audit_log SET details = replace(details, 'a  b', 'a b') WHERE seq = 12`);
      const edited = await cli(["audit", "verify"], env);
      expect(edited.code).toBe(1);
      expect(edited.stdout.split("\n")[0]).toBe("broken at 12");
      await rawRun(store.db, sql`DELETE FROM audit_log WHERE seq IN (7, 12)`);
      const deleted = await cli(["audit", "verify"], env);
      expect(deleted.stdout.split("\n")[0]).toBe("broken at 7");
    } finally {
      await rawRun(store.db, sql`ALTER TABLE audit_log ENABLE TRIGGER USER`);
    }
    await expect(rawRun(store.db, sql`DELETE FROM audit_log WHERE seq = 1`)).rejects.toThrow(/append-only/);
  });

  it("lets one of two simultaneous uses of a single-use link through, not both", async () => {
    const now = new Date();
    const token = await withTx(store, (tx) => issueLink(tx, 1, "download_link", now));
    let bothFoundIt!: () => void;
    const barrier = new Promise<void>((resolve) => (bothFoundIt = resolve));
    let found = 0;
    const use = () =>
      withTx(store, async (tx) => {
        const link = await findLink(tx, token, "download_link", now);
        if (!link) return "gone";
        if (++found === 2) bothFoundIt();
        await barrier;
        await markUsed(tx, link.id, now);
        return "used";
      });
    const outcomes = await Promise.allSettled([use(), use()]);
    expect(outcomes.filter((o) => o.status === "fulfilled" && o.value === "used")).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "rejected").map((o) => (o as PromiseRejectedResult).reason)).toEqual([
      expect.objectContaining({ detail: { code: "already_used" } }),
    ]);
  });

  it("puts the locking clause on the very select it is asked for (drizzle renders as it executes)", async () => {
    // PostgreSQL refuses FOR UPDATE with an aggregate: the refusal proves the clause reached the server.
    for (const lock of [forUpdate, skipLocked])
      await expect(withTx(store, (tx) => lock(tx, tx.select({ n: sql<number>`count(*)` }).from(requests)))).rejects.toThrow();
    // Outside a transaction there is nothing to hold a lock for: a plain read.
    expect(await forUpdate(store.db, store.db.select({ n: sql<number>`count(*)` }).from(requests))).toEqual([{ n: 40 }]);
  });

  it("runs a transaction again when PostgreSQL picks it as a deadlock's victim, and both end committed", async () => {
    await withTx(store, async (tx) => {
      await rawRun(tx, sql`CREATE TABLE IF NOT EXISTS deadlock_probe (id int PRIMARY KEY, n int NOT NULL)`);
      await rawRun(tx, sql`INSERT INTO deadlock_probe VALUES (1, 0), (2, 0) ON CONFLICT DO NOTHING`);
    });
    let runs = 0;
    let bothHoldTheirFirstRow!: () => void;
    const barrier = new Promise<void>((resolve) => (bothHoldTheirFirstRow = resolve));
    let holding = 0;
    const crossing = (firstId: number, secondId: number) =>
      withTx(store, async (tx) => {
        runs++;
        await rawRun(tx, sql`UPDATE deadlock_probe SET n = n + 1 WHERE id = ${firstId}`);
        if (++holding === 2) bothHoldTheirFirstRow();
        await barrier;
        await rawRun(tx, sql`UPDATE deadlock_probe SET n = n + 1 WHERE id = ${secondId}`);
      });
    await Promise.all([crossing(1, 2), crossing(2, 1)]);
    // One ran once; the deadlock's victim ran again (more than once if it lost twice).
    expect(runs).toBeGreaterThanOrEqual(3);
    const rows = await rawAll<{ id: number; n: number }>(store.db, sql`SELECT id, n FROM deadlock_probe ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
  });

  it("db migrate from two processes at once applies each migration once", async () => {
    const target = new URL(PG_ADMIN_URL);
    target.pathname = `/rd_migrate_${process.pid}_${Date.now()}`;
    const env = cliEnv(dir, { APP_SECRET: SECRET, DATABASE_URL: target.toString() });
    try {
      const [a, b] = await Promise.all([cli(["db", "migrate"], env), cli(["db", "migrate"], env)]);
      expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
      const applied = [a.stdout, b.stdout].map((out) => Number(/(\d+) migration\(s\) applied/.exec(out)?.[1])).sort();
      expect(applied).toEqual([0, readdirSync(path.resolve(import.meta.dirname, "../db/migrations-pg")).filter((f) => f.endsWith(".sql")).length]);
      const again = await cli(["db", "migrate"], env);
      expect(again.stdout).toContain("PostgreSQL: 0 migration(s) applied, up to date");
    } finally {
      await dropPostgresDatabase(target.toString());
    }
  });

  it("in production, a process refuses to start on a database that needs migrating, and names the command", async () => {
    const target = new URL(PG_ADMIN_URL);
    target.pathname = `/rd_unmigrated_${process.pid}_${Date.now()}`;
    await createEmptyDatabase(target.toString());
    const env = cliEnv(dir, {
      APP_ENV: "production",
      APP_SECRET: SECRET,
      DATABASE_URL: target.toString(),
      SMTP_URL: "smtp://127.0.0.1:9",
      SMS_GATEWAY_URL: "http://127.0.0.1:9",
      BASE_URL: "https://droits.example",
      SUPPRESSION_HASH_KEY: "k".repeat(40),
      SUPPRESSION_API: "off",
      PORT: "0",
      CONNECTORS_CONFIG: path.join(dir, "no-connectors.json"),
    });
    try {
      const worker = await run("scripts/worker.ts", [], env, { timeoutMs: 60_000 });
      expect(worker.code).toBe(1);
      expect(worker.stderr).toContain("npm run -s cli -- db migrate");
      const tables = await rawAll<{ n: number }>(store.db, sql`SELECT 1 AS n`); // the test's own store is untouched
      expect(tables).toHaveLength(1);
      const status = await cli(["outbox", "status"], env);
      expect(status.code).toBe(1);
      expect(status.stderr).toContain("migration(s) to apply");
      expect(status.stderr).not.toContain(SECRET);
    } finally {
      await dropPostgresDatabase(target.toString());
    }
  });
});
