import Database from "better-sqlite3";
import { and, asc, count, eq, sql } from "drizzle-orm";
import { createHmac } from "node:crypto";
import * as OTPAuth from "otpauth";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../db/schema/audit";
import { staff } from "../db/schema/staff";
import { verifyChain } from "../app/services/audit.server";
import { purgeExpiredArchives } from "../app/services/delivery.server";
import { purgeAfterRetention } from "../app/services/gather-store.server";
import { JOURNAL_CSV_HEADER } from "../app/services/journal.server";
import { instantToParisLocal } from "../app/utils/paris-time";
import { closeConnectors } from "../app/utils/connectors.server";
import { derivedKey } from "../app/utils/crypto.server";
import { startApp, textOf, validRequest, type TestApp } from "./helpers/app";
import { corinneInPerson, withDemoConnectors, gatherAll } from "./helpers/connectors";
import { signedIn } from "./helpers/staff";
import { verifiedTicket } from "./helpers/tickets";
import { parseCsv } from "./helpers/csv";
import { cli, cliEnv } from "./helpers/processes";
import { rawRun, first } from "../app/utils/db.server";


let app: TestApp;
let dpo: Awaited<ReturnType<typeof signedIn>>;
let reference: string;
let email: string;

beforeAll(async () => {
  // The chain's checks read and tamper with SQLite's own file; tests/postgres-store.test.ts tampers with PostgreSQL's.
  app = await startApp({ store: "sqlite" });
  await withDemoConnectors(app);
  dpo = await signedIn(app, "dpo");
  // Real activity: a filing, a verification, the DPO opening and working the ticket.
  const t = await verifiedTicket();
  reference = t.reference;
  email = t.email;
  expect((await dpo.browser.get(`/admin/demandes/${reference}`)).status).toBe(200);
  expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "start" })).status).toBe(302);
  expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "note", body: "Appel reçu, périmètre confirmé." })).status).toBe(302);
  for (let i = 0; i < 3; i++) await verifiedTicket();
});
afterAll(async () => {
  await closeConnectors();
  await app?.stop();
});

/** The CLI as an operator runs it, on the database file given (a separate process: the app under test lives in this one). */
const cliOn = (databaseFile: string, ...args: string[]) =>
  cli(args, cliEnv(app.dir, { DATABASE_URL: `file:${databaseFile}`, CONNECTORS_CONFIG: path.join(app.dir, "no-connectors.json") }));

/** The SQLite error under drizzle's "Failed to run the query" wrapper. */
async function refusal(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    const e = error as Error & { cause?: Error };
    return `${e.message} ${e.cause?.message ?? ""}`;
  }
  return "not refused";
}

const liveFile = () => path.join(app.dir, "rightsdesk.sqlite");
let copies = 0;

/**
 * A consistent copy of the live database, tampered with the way someone
 * with access to the file would: open it directly, drop the triggers that
 * refuse UPDATE and DELETE, change rows.
 */
async function tamperedCopy(tamper: (raw: Database.Database) => void): Promise<string> {
  const file = path.join(app.dir, `copy-${++copies}.sqlite`);
  await rawRun(app.db(), sql.raw(`VACUUM INTO '${file}'`));
  const raw = new Database(file);
  raw.exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");
  tamper(raw);
  raw.close();
  return file;
}

function entryCount(file: string): number {
  const raw = new Database(file, { readonly: true });
  const n = (raw.prepare("SELECT count(*) AS n FROM audit_log").get() as { n: number }).n;
  raw.close();
  return n;
}

/** A middle entry of this ticket's history, so that entries exist on both sides of it. */
async function middleSeqOf(ref: string): Promise<number> {
  const seqs = (await app.db().select({ seq: auditLog.seq }).from(auditLog).where(eq(auditLog.reference, ref)).orderBy(asc(auditLog.seq))).map((r) => r.seq);
  expect(seqs.length).toBeGreaterThan(3);
  return seqs[Math.floor(seqs.length / 2)]!;
}


describe("npm run -s cli -- audit verify", () => {
  it("prints ok with the number of entries and the head to anchor, on the configured database", async () => {
    const file = await tamperedCopy(() => {});
    const run = await cliOn(file, "audit", "verify");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const n = entryCount(file);
    const [first, second] = run.stdout.trim().split("\n");
    expect(first).toBe(`ok ${n} entries`);
    expect(second).toMatch(new RegExp(`^head ${n}:[A-Za-z0-9_-]{43}$`));
  });

  it("(a) finds an edited row and names its number", async () => {
    const seq = await middleSeqOf(reference);
    const file = await tamperedCopy((raw) => {
      const changed = raw.prepare("UPDATE audit_log SET actor_id = 999 WHERE seq = ?").run(seq);
      expect(changed.changes).toBe(1);
    });
    const run = await cliOn(file, "audit", "verify");
    expect(run.code).toBe(1);
    const [first, reason] = run.stdout.trim().split("\n");
    expect(first).toBe(`broken at ${seq}`);
    expect(reason).toContain("edited");
  });

  it("(a) finds an edited row even when the edit leaves unparseable details", async () => {
    const seq = await middleSeqOf(reference);
    const file = await tamperedCopy((raw) => raw.prepare("UPDATE audit_log SET details = '{not json' WHERE seq = ?").run(seq));
    const run = await cliOn(file, "audit", "verify");
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split("\n")[0]).toBe(`broken at ${seq}`);
  });

  it("(b) finds a deleted row and names the missing number", async () => {
    const seq = await middleSeqOf(reference);
    const file = await tamperedCopy((raw) => expect(raw.prepare("DELETE FROM audit_log WHERE seq = ?").run(seq).changes).toBe(1));
    const run = await cliOn(file, "audit", "verify");
    expect(run.code).toBe(1);
    const [first, reason] = run.stdout.trim().split("\n");
    expect(first).toBe(`broken at ${seq}`);
    expect(reason).toContain("missing");
  });

  it("(c) finds two rows swapped and names the first of them", async () => {
    const seq = await middleSeqOf(reference);
    const file = await tamperedCopy((raw) => {
      raw.prepare("UPDATE audit_log SET seq = -1 WHERE seq = ?").run(seq);
      raw.prepare("UPDATE audit_log SET seq = ? WHERE seq = ?").run(seq, seq + 1);
      raw.prepare("UPDATE audit_log SET seq = ? WHERE seq = -1").run(seq + 1);
    });
    const run = await cliOn(file, "audit", "verify");
    expect(run.code).toBe(1);
    const [first, reason] = run.stdout.trim().split("\n");
    expect(first).toBe(`broken at ${seq}`);
    expect(reason).toContain("swapped");
  });

  it("cannot see entries cut from the end on its own, and does with the anchor printed before", async () => {
    const intact = await cliOn(liveFile(), "audit", "verify");
    expect(intact.code).toBe(0);
    const anchor = intact.stdout.match(/^head (\d+:[A-Za-z0-9_-]{43})$/m)![1]!;
    const anchorSeq = Number(anchor.split(":")[0]);
    const file = await tamperedCopy((raw) => raw.prepare("DELETE FROM audit_log WHERE seq >= ?").run(anchorSeq - 1));
    // The shorter chain is still a valid chain: the documented limit.
    expect((await cliOn(file, "audit", "verify")).stdout.split("\n")[0]).toBe(`ok ${anchorSeq - 2} entries`);
    const anchored = await cliOn(file, "audit", "verify", "--anchor", anchor);
    expect(anchored.code).toBe(1);
    const [first, reason] = anchored.stdout.trim().split("\n");
    expect(first).toBe(`broken at ${anchorSeq - 1}`);
    expect(reason).toContain("removed from the end");
    // The intact log passes the same anchor.
    expect((await cliOn(liveFile(), "audit", "verify", "--anchor", anchor)).code).toBe(0);
  });

  it("says a malformed anchor is a usage error (exit 2)", async () => {
    const run = await cliOn(liveFile(), "audit", "verify", "--anchor", "12");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--anchor must be <seq>:<hash>");
  });

  it("is backed by triggers: UPDATE and DELETE through the application's connection are refused", async () => {
    const before = (await first(app.db().select().from(auditLog).where(eq(auditLog.seq, 1))))!;
    expect(await refusal(async () => await app.db().update(auditLog).set({ action: "ticket.viewed" }).where(eq(auditLog.seq, 1)))).toContain("audit_log is append-only");
    expect(await refusal(async () => await app.db().delete(auditLog).where(eq(auditLog.seq, 1)))).toContain("audit_log is append-only");
    expect(await refusal(async () => await rawRun(app.db(), sql`DELETE FROM audit_log`))).toContain("audit_log is append-only");
    expect(await first(app.db().select().from(auditLog).where(eq(auditLog.seq, 1)))).toEqual(before);
  });
});

describe("audit verify checks the bytes stored, not what they parse to", () => {
  /** A live entry whose details hold at least two keys, with its stored text read raw. */
  function entryWithKeys(): { seq: number; text: string } {
    const raw = new Database(liveFile(), { readonly: true });
    const rows = raw.prepare("SELECT seq, details FROM audit_log WHERE reference = ? ORDER BY seq").all(reference) as { seq: number; details: string }[];
    raw.close();
    const row = rows.find((r) => Object.keys(JSON.parse(r.details) as object).length >= 2)!;
    expect(row).toBeDefined();
    return { seq: row.seq, text: row.details };
  }

  /** Rewrites, byte for byte, what an attacker would: the same JSON value in other words. */
  const rewrites: Record<string, (text: string) => string> = {
    "a duplicate key": (text) => {
      const [firstKey] = Object.keys(JSON.parse(text) as object);
      // The forged value comes first: parsers keep the last one, so the value read is unchanged.
      return `{${JSON.stringify(firstKey)}:"forged",${text.slice(1)}`;
    },
    "reordered keys": (text) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(text) as object).reverse())),
    "changed whitespace": (text) => JSON.stringify(JSON.parse(text), null, 1),
  };

  for (const [what, rewrite] of Object.entries(rewrites)) {
    it(`finds a row rewritten with ${what} and names its number`, async () => {
      const { seq, text } = entryWithKeys();
      const forged = rewrite(text);
      expect(forged).not.toBe(text);
      expect(JSON.parse(forged)).toEqual(JSON.parse(text));
      const file = await tamperedCopy((raw) => expect(raw.prepare("UPDATE audit_log SET details = ? WHERE seq = ?").run(forged, seq).changes).toBe(1));
      const run = await cliOn(file, "audit", "verify");
      expect(run.code).toBe(1);
      const [first, reason] = run.stdout.trim().split("\n");
      expect(first).toBe(`broken at ${seq}`);
      expect(reason).toContain("edited");
    });
  }

  it("stores the details as exactly the text it hashed, so that the intact log verifies", async () => {
    const raw = new Database(liveFile(), { readonly: true });
    const rows = raw.prepare("SELECT details FROM audit_log").all() as { details: string }[];
    raw.close();
    for (const r of rows) expect(r.details).toBe(JSON.stringify(JSON.parse(r.details)));
    const run = await cliOn(liveFile(), "audit", "verify");
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("format 1");
  });

  /**
   * Entries written before this check covered the bytes (format 1): the HMAC
   * was over the parsed details with their keys sorted, while the column kept
   * the keys in the order the code wrote them. This is that writer, as it was.
   */
  async function formatV1Copy(): Promise<string> {
    const key = derivedKey("audit:v1");
    const sortKeys = (v: unknown): unknown =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]))
        : v;
    return await tamperedCopy((raw) => {
      type Row = { seq: number; at: number; actor_kind: string; actor_id: number | null; action: string; reference: string | null; details: string };
      const rows = raw.prepare("SELECT seq, at, actor_kind, actor_id, action, reference, details FROM audit_log ORDER BY seq").all() as Row[];
      const rewrite = raw.prepare("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?");
      let prev = "genesis";
      for (const r of rows) {
        const canonical = JSON.stringify([r.seq, r.at, r.actor_kind, r.actor_id, r.action, r.reference, sortKeys(JSON.parse(r.details))]);
        const hash = createHmac("sha256", key).update(prev).update("\n").update(canonical).digest("base64url");
        rewrite.run(prev, hash, r.seq);
        prev = hash;
      }
      // Back as the migration left them, so that the copy is an ordinary database of that time.
      raw.exec(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;`);
    });
  }

  it("still verifies a log written before (format 1), keeps chaining new entries onto it, and finds a repeated key or added space in its old rows", async () => {
    const file = await formatV1Copy();
    const n = entryCount(file);
    const old = await cliOn(file, "audit", "verify");
    expect(old.code, old.stdout + old.stderr).toBe(0);
    expect(old.stdout).toContain(`ok ${n} entries`);
    expect(old.stdout).toContain(`format 1: ${n} entries`);
    // Keys stored out of order are what format 1 wrote: staff.created lists staffId, role, site.
    const raw = new Database(file, { readonly: true });
    const created = raw.prepare("SELECT seq, details FROM audit_log WHERE action = 'staff.created' ORDER BY seq LIMIT 1").get() as { seq: number; details: string };
    raw.close();
    expect(Object.keys(JSON.parse(created.details) as object)).toEqual(["staffId", "role", "site"]);

    // The upgraded application appends to the old chain (the CLI writes staff.created, format 2).
    const added = await cliOn(file, "staff", "create", "--email", "upgrade@centrecall.example", "--role", "support", "--site", "tours");
    expect(added.code, added.stderr).toBe(0);
    const after = await cliOn(file, "audit", "verify");
    expect(after.code).toBe(0);
    expect(after.stdout).toContain(`ok ${n + 1} entries`);
    expect(after.stdout).toContain(`format 1: ${n} entries`);

    for (const what of ["a duplicate key", "changed whitespace"]) {
      const forged = rewrites[what]!(created.details);
      const copy = path.join(app.dir, `copy-${++copies}.sqlite`);
      const source = new Database(file);
      await source.backup(copy);
      source.close();
      const tampered = new Database(copy);
      tampered.exec("DROP TRIGGER audit_log_no_update;");
      tampered.prepare("UPDATE audit_log SET details = ? WHERE seq = ?").run(forged, created.seq);
      tampered.close();
      const run = await cliOn(copy, "audit", "verify");
      expect(run.code, what).toBe(1);
      expect(run.stdout.split("\n")[0], what).toBe(`broken at ${created.seq}`);
    }
  });
});

describe("the journal page (/admin/journal)", () => {
  it("shows the DPO the entries, newest first, with labels, names and the chain's state", async () => {
    const res = await dpo.browser.get("/admin/journal");
    expect(res.status).toBe(200);
    const html = await res.text();
    const text = textOf(html);
    expect(text).toContain("Journal d'audit");
    expect(text).toContain("Chaîne intacte");
    expect(text).toContain("Demande consultée");
    expect(text).toContain(reference);
    expect(text).toContain(`dpo tours`); // the DPO's display name, not an id
    const seqs = [...html.matchAll(/<tr data-seq="(\d+)"/g)].map((m) => Number(m[1]));
    expect(seqs.length).toBeGreaterThan(5);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    // No personal data: the requester's email is nowhere, even though her ticket is.
    expect(html).not.toContain(email);
    expect(html).not.toContain("Lucie");
  });

  it("filters by reference, action, group, actor and Paris days, and says which filter is wrong", async () => {
    const rowsOf = async (q: string) => {
      const res = await dpo.browser.get(`/admin/journal?${q}`);
      expect(res.status).toBe(200);
      const html = await res.text();
      return [...html.matchAll(/<tr data-seq="(\d+)" data-action="([^"]+)">([\s\S]*?)<\/tr>/g)].map((m) => ({ seq: Number(m[1]), action: m[2]!, html: m[3]! }));
    };
    const byRef = await rowsOf(`reference=${reference}`);
    const expected = (await first(app.db().select({ n: count() }).from(auditLog).where(eq(auditLog.reference, reference))))!.n;
    expect(byRef).toHaveLength(expected);
    for (const r of byRef) expect(r.html).toContain(reference);
    expect(byRef.map((r) => r.action)).toEqual(expect.arrayContaining(["ticket.filed", "ticket.verified", "ticket.viewed", "ticket.identity_viewed", "ticket.started", "ticket.note_added"]));

    // The number alone finds the same entries.
    expect(await rowsOf(`reference=${Number(reference.slice(-6))}`)).toEqual(byRef);

    const viewed = await rowsOf("action=ticket.viewed");
    expect(viewed.length).toBeGreaterThan(0);
    expect(new Set(viewed.map((r) => r.action))).toEqual(new Set(["ticket.viewed"]));

    const ticketGroup = await rowsOf(`action=ticket.*&reference=${reference}`);
    expect(ticketGroup).toHaveLength(byRef.filter((r) => r.action.startsWith("ticket.")).length);

    const requester = await rowsOf("actor=requester");
    expect(requester.length).toBeGreaterThan(0);
    for (const r of requester) expect(r.html).toContain('data-actor="requester"');

    const mine = await rowsOf(`actor=staff:${dpo.id}&action=ticket.note_added`);
    expect(mine.map((r) => r.seq)).toEqual(
      (await app.db().select({ seq: auditLog.seq }).from(auditLog).where(and(eq(auditLog.actorId, dpo.id), eq(auditLog.action, "ticket.note_added")))).map((r) => r.seq),
    );

    const today = instantToParisLocal(new Date()).slice(0, 10);
    const future = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
    expect(await rowsOf(`from=${future}`)).toHaveLength(0);
    expect((await rowsOf(`from=${today}&to=${today}&action=staff.login&actor=staff:${dpo.id}`)).length).toBe(1);

    const bad = await dpo.browser.get(`/admin/journal?from=2026-02-30&reference=${encodeURIComponent("x@y.fr")}`);
    expect(bad.status).toBe(400);
    const badText = textOf(await bad.text());
    expect(badText).toContain("Date de début invalide.");
    expect(badText).toContain("Référence invalide.");
  });

  it("records every viewing, with the filters and nothing more", async () => {
    await dpo.browser.get(`/admin/journal?reference=${reference}&action=ticket.viewed`);
    const entry = (await first(app.db().select().from(auditLog).where(and(eq(auditLog.action, "audit.viewed"), eq(auditLog.actorId, dpo.id))).orderBy(sql`${auditLog.seq} desc`)))!;
    expect(entry.details).toEqual({ filters: { reference, action: "ticket.viewed" }, page: 1, shown: 1 });
  });

  it("is for administrators and the DPO: support and agents are refused the page and the file, and see no menu entry", async () => {
    for (const role of ["support", "agent"] as const) {
      const { browser } = await signedIn(app, role);
      expect((await browser.get("/admin/journal")).status).toBe(403);
      expect((await browser.get("/admin/journal.csv")).status).toBe(403);
      expect(await (await browser.get("/admin")).text()).not.toContain('href="/admin/journal"');
    }
    const admin = await signedIn(app, "admin");
    expect((await admin.browser.get("/admin/journal")).status).toBe(200);
    expect(await (await admin.browser.get("/admin/registre")).text()).toContain('href="/admin/journal"');
    expect((await app.browser().get("/admin/journal")).headers.get("location")).toBe("/admin/connexion");
  });

  it("exports the filtered entries as CSV (BOM, header, one row each) and records the export", async () => {
    const expected = await app.db().select().from(auditLog).where(eq(auditLog.reference, reference)).orderBy(asc(auditLog.seq));
    const res = await dpo.browser.get(`/admin/journal.csv?reference=${reference}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="journal-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes.subarray(3).toString("utf8"));
    expect(rows[0]).toEqual([...JOURNAL_CSV_HEADER]);
    const body = rows.slice(1);
    expect(body.map((r) => Number(r[0]))).toEqual(expected.map((e) => e.seq));
    const col = (name: (typeof JOURNAL_CSV_HEADER)[number]) => JOURNAL_CSV_HEADER.indexOf(name);
    for (const [i, r] of body.entries()) {
      const e = expected[i]!;
      expect(r).toHaveLength(JOURNAL_CSV_HEADER.length);
      expect(r[col("reference")]).toBe(reference);
      expect(r[col("action")]).toBe(e.action);
      expect(r[col("at_utc")]).toBe(e.at.toISOString());
      expect(r[col("at_paris")]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(JSON.parse(r[col("details")]!)).toEqual(e.details);
      expect(r[col("hash")]).toBe(e.hash);
      expect(r[col("prev_hash")]).toBe(e.prevHash);
    }
    const dpoName = (await first(app.db().select({ name: staff.displayName }).from(staff).where(eq(staff.id, dpo.id))))!.name;
    expect(body.find((r) => r[col("action")] === "ticket.note_added")![col("actor_name")]).toBe(dpoName);
    expect(body.find((r) => r[col("action")] === "ticket.filed")![col("actor_kind")]).toBe("requester");
    expect(bytes.toString("utf8")).not.toContain(email);

    const exported = (await first(app.db().select().from(auditLog).where(and(eq(auditLog.action, "audit.exported"), eq(auditLog.actorId, dpo.id)))))!;
    expect(exported.details).toMatchObject({ filters: { reference }, rows: expected.length, format: "csv" });

    // Invalid filters: no file.
    expect((await dpo.browser.get("/admin/journal.csv?to=tomorrow")).status).toBe(400);
  });

  it("keeps the chain valid through viewing and exporting, as the CLI sees the live database", async () => {
    const check = await verifyChain(app.db());
    expect(check.ok).toBe(true);
    const run = await cliOn(liveFile(), "audit", "verify");
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")[0]).toBe(`ok ${check.count} entries`);
  });

  it("exports from the command line too, filtered, and records it as the system", async () => {
    const out = path.join(app.dir, "journal.csv");
    const run = await cliOn(liveFile(), "audit", "export", "--out", out, "--reference", reference, "--lang", "en");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const n = (await first(app.db().select({ n: count() }).from(auditLog).where(eq(auditLog.reference, reference))))!.n;
    expect(run.stdout.trim()).toMatch(new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} ${n} entries \\(up to entry \\d+\\)$`));
    const rows = parseCsv(readFileSync(out, "utf8").slice(1));
    expect(rows).toHaveLength(n + 1);
    expect(rows.slice(1).every((r) => r[JOURNAL_CSV_HEADER.indexOf("reference")] === reference)).toBe(true);
    expect(rows.find((r) => r[6] === "ticket.viewed")![7]).toBe("Request opened");
    const last = (await first(app.db().select().from(auditLog).orderBy(sql`${auditLog.seq} desc`)))!;
    expect(last).toMatchObject({ action: "audit.exported", actorKind: "system", details: { filters: { reference }, rows: n } });
    expect((await cliOn(liveFile(), "audit", "export", "--out", out, "--from", "2026-13-01")).code).toBe(2);
  });

  it("shows a broken chain on the page once a row is edited behind the application's back", async () => {
    const seq = await middleSeqOf(reference);
    const raw = new Database(liveFile());
    raw.exec("DROP TRIGGER audit_log_no_update;");
    raw.prepare("UPDATE audit_log SET reference = 'DSR-2000-000001' WHERE seq = ?").run(seq);
    raw.close();
    const res = await dpo.browser.get("/admin/journal");
    const text = textOf(await res.text());
    expect(text).toContain(`Chaîne rompue à l'entrée n° ${seq}.`);
    expect(text).toContain("(modification)");
  });
});

describe("entries for the changes that had none", () => {
  it("a verification code resent by an agent", async () => {
    const agent = await signedIn(app, "agent", "lille");
    const res = await agent.browser.post("/admin/saisie", {
      channel: "phone",
      receivedAtLocal: instantToParisLocal(new Date(Date.now() - 3_600_000)),
      site: "lille",
      rights: ["access"],
      lastName: "Vicq",
      firstName: "Christophe",
      email: "",
      phone: "06 44 55 66 77",
      details: "",
      verification: "code_sms",
    });
    expect(res.status).toBe(302);
    const ref = res.headers.get("location")!.match(/DSR-\d{4}-\d{6}/)![0];
    expect((await agent.browser.post(`/admin/demandes/${ref}`, { intent: "caller-resend" })).status).toBe(302);
    const entry = (await first(app.db().select().from(auditLog).where(and(eq(auditLog.reference, ref), eq(auditLog.action, "ticket.code_sent")))))!;
    expect(entry).toMatchObject({ actorKind: "staff", actorId: agent.id, details: { via: "sms" } });
  });

  it("a wrong second-factor code, as a failed sign-in of that account", async () => {
    const { browser, email: staffEmail, id } = await signedIn(app, "support");
    const begun = await (await browser.post("/admin/compte", { intent: "totp-begin" })).text();
    const secret = textOf(begun).match(/Clé : ([A-Z2-7]+)/)![1]!;
    const pending = begun.match(/name="pending" value="([^"]+)"/)![1]!;
    const codeAt = (at: number) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at });
    expect((await browser.post("/admin/compte", { intent: "totp-confirm", pending, password: "correct horse battery staple", code: codeAt(Date.now()) })).status).toBe(200);
    const next = app.browser();
    expect((await next.post("/admin/connexion", { email: staffEmail, password: "correct horse battery staple" })).headers.get("location")).toBe("/admin/connexion/code");
    expect((await next.post("/admin/connexion/code", { code: codeAt(Date.now() - 10 * 60_000) })).status).toBe(401);
    const entry = (await first(app.db().select().from(auditLog).where(eq(auditLog.action, "staff.login_failed")).orderBy(sql`${auditLog.seq} desc`)))!;
    expect(entry).toMatchObject({ actorKind: "system", details: { staffId: id, factor: "totp" } });
  });

  it("a new SMS code asked for by the requester on the public page", async () => {
    const browser = app.browser();
    expect((await browser.post("/demande", validRequest({ email: "", phone: "06 12 34 56 78", verificationMethod: "sms" }))).status).toBe(302);
    const ref = textOf(await (await browser.get("/demande/envoyee")).text()).match(/DSR-\d{4}-\d{6}/)![0];
    expect((await browser.post("/demande/envoyee", { intent: "resend" })).status).toBe(200);
    const entry = (await first(app.db().select().from(auditLog).where(and(eq(auditLog.reference, ref), eq(auditLog.action, "ticket.code_sent")))))!;
    expect(entry).toMatchObject({ actorKind: "requester", details: { via: "sms" } });
  });

  it("an expired archive deleted, and gathered copies deleted when the retention ends", async () => {
    const { reference: ref, browser } = await corinneInPerson(app);
    await gatherAll(app, browser, ref);
    expect((await browser.post(`/admin/demandes/${ref}`, { intent: "start" })).status).toBe(302);
    expect((await dpo.browser.post(`/admin/demandes/${ref}`, { intent: "release-access", confirmed: "1" })).status).toBe(302);
    for (const intent of ["ready", "complete"]) expect((await browser.post(`/admin/demandes/${ref}`, { intent, confirmed: "1" })).status).toBe(302);
    const purged = async () => await app.db().select().from(auditLog).where(and(eq(auditLog.reference, ref), eq(auditLog.action, "erasure.copies_purged")));
    expect(await purgeExpiredArchives(app.db(), new Date(Date.now() + 8 * 86_400_000))).toBeGreaterThanOrEqual(1);
    expect(await purged()).toEqual([expect.objectContaining({ actorKind: "system", details: expect.objectContaining({ copies: "archive", kind: "access", reason: "expired" }) })]);
    expect(await purgeAfterRetention(app.db(), new Date(Date.now() + 91 * 86_400_000))).toBeGreaterThanOrEqual(1);
    expect((await purged())[1]).toMatchObject({ actorKind: "system", details: { copies: "gathered", reason: "retention" } });
  });
});
