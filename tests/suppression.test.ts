import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { and, eq, sql } from "drizzle-orm";
import { rawAll } from "../app/utils/db.server";
import { mapInOrder } from "../app/utils/in-order";
import { onPostgres } from "./helpers/postgres";
import { outbox } from "../db/schema/outbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../db/schema/audit";
import { suppressionList } from "../db/schema/rights";
import { ConfigError, parseEnv } from "../app/utils/env.server";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { signedIn } from "./helpers/staff";
import { ticketRow, verifiedTicket } from "./helpers/tickets";
import { cli, cliEnv } from "./helpers/processes";
import { personInPerson } from "./helpers/connectors";

const ROOT = path.resolve(import.meta.dirname, "..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const TOKEN = "dialler-token-0123456789-abcdefghijklmnop";
const KEY = "suppression-key-for-tests-0123456789-abcdef";

let app: TestApp;

beforeAll(async () => {
  app = await startApp({ env: { SUPPRESSION_API_TOKEN: TOKEN, SUPPRESSION_HASH_KEY: KEY } });
});
afterAll(async () => {
  await app?.stop();
});

/** What the list must hold for a value: HMAC-SHA256 under the dedicated key, never the value. */
const expectedHash = (kind: "phone" | "email", normalised: string) => createHmac("sha256", KEY).update(`${kind}:${normalised}`).digest("hex");

/** A request recorded in person by support (identity document shown), asking for objection. */
async function objector(opts: { phone: string; email: string; rights?: string[] }) {
  const person = { lastName: "Opposant", firstName: "Jean", email: opts.email, phone: opts.phone, site: "tours" as const, details: "Ne plus être appelé pour des enquêtes ou de la prospection." };
  return personInPerson(app, person, opts.rights ?? ["objection"], { proveEmail: false });
}

function api(pathname: string, init: { method?: string; token?: string | null; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set("authorization", `Bearer ${init.token ?? TOKEN}`);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  return fetch(new URL(pathname, app.base), {
    method: init.method ?? (init.body !== undefined ? "POST" : "GET"),
    headers,
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
    redirect: "manual",
  });
}

const check = (body: unknown, token?: string | null) => api("/api/suppression/check", { body, token });

async function auditOf(action: string) {
  return await app.db().select().from(auditLog).where(eq(auditLog.action, action as never));
}

describe("objection (Art. 21)", () => {
  it("puts the request's phone and email on the suppression list as keyed hashes, and the ticket says since when", async () => {
    const { reference, browser } = await objector({ phone: "06 12 34 56 78", email: "Jean.Opposant@Example.fr" });
    let html = await (await browser.get(`/admin/demandes/${reference}`)).text();
    expect(html).toMatch(/data-suppression-kind="phone" data-suppressed="no"/);
    expect(textOf(html)).toContain("il n'y a pas de mise en balance des intérêts");

    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "objection-record" })).status).toBe(302);

    const rows = await app.db().select().from(suppressionList).where(eq(suppressionList.requestId, (await ticketRow(reference)).id));
    expect(rows.map((r) => [r.kind, r.hash]).sort()).toEqual(
      [
        ["email", expectedHash("email", "jean.opposant@example.fr")],
        ["phone", expectedHash("phone", "+33612345678")],
      ].sort(),
    );
    html = await (await browser.get(`/admin/demandes/${reference}`)).text();
    expect(html).toMatch(/data-suppression-kind="phone" data-suppressed="yes"/);
    expect(html).toMatch(/data-suppression-kind="email" data-suppressed="yes"/);
    const page = textOf(html);
    expect(page).toContain("Sur la liste d'opposition depuis le");
    expect(page).toContain("Opposition enregistrée sur la liste d'opposition");
    expect(page).not.toContain("Inscrire sur la liste d'opposition");

    const entry = (await auditOf("objection.recorded")).find((a) => a.reference === reference)!;
    // No gather, no connector: nothing found, nothing removed anywhere.
    expect(entry.details).toEqual({ kinds: ["phone", "email"], added: 2, alreadyListed: 0, found: 0, removed: [] });

    // The same person again, number typed differently: already listed, nothing added twice.
    const second = await objector({ phone: "+33 6 12 34 56 78", email: "JEAN.OPPOSANT@example.fr" });
    expect((await second.browser.post(`/admin/demandes/${second.reference}`, { intent: "objection-record" })).status).toBe(302);
    expect((await auditOf("objection.recorded")).find((a) => a.reference === second.reference)!.details).toEqual({ kinds: ["phone", "email"], added: 0, alreadyListed: 2, found: 0, removed: [] });
    expect(await app.db().select().from(suppressionList).where(eq(suppressionList.hash, expectedHash("phone", "+33612345678")))).toHaveLength(1);
    expect(await (await second.browser.get(`/admin/demandes/${second.reference}`)).text()).toMatch(/data-suppression-kind="phone" data-suppressed="yes"/);
  });

  it("is refused to an agent and on a request that did not object", async () => {
    const { reference } = await objector({ phone: "06 98 76 54 32", email: "agent.case@example.fr" });
    const agent = await signedIn(app, "agent", "tours");
    expect((await agent.browser.post(`/admin/demandes/${reference}`, { intent: "objection-record" })).status).toBe(403);
    expect(await app.db().select().from(suppressionList).where(eq(suppressionList.requestId, (await ticketRow(reference)).id))).toEqual([]);

    const access = await verifiedTicket();
    const dpo = await signedIn(app, "dpo");
    const res = await dpo.browser.post(`/admin/demandes/${access.reference}`, { intent: "objection-record" });
    expect(res.status).toBe(409);
    expect(textOf(await res.text())).toContain("Cette demande ne porte pas sur l'opposition.");
  });
});

describe("POST /api/suppression/check", () => {
  beforeAll(async () => {
    const { reference, browser } = await objector({ phone: "06 11 22 33 44", email: "api.case@example.fr" });
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "objection-record" })).status).toBe(302);
  });

  it("matches a number whatever its format, one at a time or in a batch, in order", async () => {
    for (const phone of ["+33611223344", "06 11 22 33 44", "06.11.22.33.44", "0033 6 11 22 33 44", "+33 6-11-22-33-44"]) {
      const res = await check({ phone });
      expect(res.status, phone).toBe(200);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(await res.json()).toEqual({ suppressed: true });
    }
    expect(await (await check({ phone: "06 11 22 33 45" })).json()).toEqual({ suppressed: false });
    const batch = await check({ phones: ["0611223344", "+33699887766", "+33 6 11 22 33 44", "02 47 00 00 01"] });
    expect(await batch.json()).toEqual({ suppressed: [true, false, true, false] });
    // Audited as a count: never which numbers.
    const last = (await auditOf("suppression.checked")).at(-1)!;
    expect(last.details).toEqual({ via: "api", count: 4 });
    expect(last.actorKind).toBe("system");
  });

  it("answers 401 without the right bearer token, whatever cookies come along, and says nothing more", async () => {
    for (const token of [null, "wrong-token", `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const res = await check({ phone: "+33611223344" }, token);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: "unauthorized" });
    }
    const basic = await api("/api/suppression/check", { token: null, body: { phone: "+33611223344" }, headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` } });
    expect(basic.status).toBe(401);
    // A signed-in DPO's session cookie is no credential here.
    const dpo = await signedIn(app, "dpo");
    const withCookie = await dpo.browser.request("/api/suppression/check", { method: "POST", body: JSON.stringify({ phone: "+33611223344" }), headers: { "content-type": "application/json" } });
    expect(withCookie.status).toBe(401);
    expect(await withCookie.json()).toEqual({ error: "unauthorized" });
  });

  it("is not held to the browser origin check: the token is the credential", async () => {
    const res = await api("/api/suppression/check", { body: { phone: "+33611223344" }, headers: { origin: "https://dialler.centrecall.example", "sec-fetch-site": "cross-site" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ suppressed: true });
    // Without the token the same request is still refused, by the token check.
    expect((await api("/api/suppression/check", { token: null, body: { phone: "+33611223344" }, headers: { origin: "null" } })).status).toBe(401);
  });

  it("refuses bad input with a 400 and a message that does not repeat the value", async () => {
    const cases: [unknown, string][] = [
      ["{not json", "invalid_json"],
      [{}, "invalid_body"],
      [{ phone: 612345678 }, "invalid_body"],
      [{ phones: [] }, "invalid_body"],
      [{ phones: Array.from({ length: 1001 }, () => "+33611223344") }, "invalid_body"],
      [{ phone: "+33611223344", extra: true }, "invalid_body"],
      [{ phone: "not-a-number" }, "phone_invalid"],
      [{ phone: "12" }, "phone_invalid"],
    ];
    for (const [body, error] of cases) {
      const res = await check(body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      const json = (await res.json()) as { error: string; message: string };
      expect(json.error).toBe(error);
      expect(json.message.length).toBeGreaterThan(5);
    }
    const res = await check({ phones: ["+33611223344", "06 00 nope 12"] });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: string; message: string; index: number };
    expect(json).toMatchObject({ error: "phone_invalid", index: 1 });
    expect(json.message).toBe("phones[1] is not a phone number.");
    expect((await api("/api/suppression/check")).status).toBe(405);
  });

  it("is absent when no token is configured", async () => {
    const build = await import(pathToFileURL(path.join(ROOT, "build/server/index.js")).href);
    delete process.env.SUPPRESSION_API_TOKEN;
    build.entry.module.resetEnvForTests();
    try {
      expect((await check({ phone: "+33611223344" })).status).toBe(404);
      expect((await check({ phone: "+33611223344" }, null)).status).toBe(404);
      expect((await api("/api/suppression/export")).status).toBe(404);
    } finally {
      process.env.SUPPRESSION_API_TOKEN = TOKEN;
      build.entry.module.resetEnvForTests();
    }
    expect((await check({ phone: "+33611223344" })).status).toBe(200);
  });
});

describe("GET /api/suppression/export", () => {
  it("returns the list as kind,hash,added_at — hashes only", async () => {
    expect((await api("/api/suppression/export", { token: null })).status).toBe(401);
    const res = await api("/api/suppression/export");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const csv = await res.text();
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("kind,hash,added_at");
    const count = (await app.db().select().from(suppressionList)).length;
    expect(lines).toHaveLength(count + 1);
    for (const line of lines.slice(1)) expect(line).toMatch(/^(phone|email),[0-9a-f]{64},\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(csv).toContain(`phone,${expectedHash("phone", "+33611223344")},`);
    expect(csv).not.toMatch(/@|611223344|\+33/);
    expect((await auditOf("suppression.exported")).at(-1)!.details).toEqual({ via: "api", count });
  });
});

describe("npm run -s cli -- suppression", () => {
  const suppression = (...args: string[]) => cli(["suppression", ...args], cliEnv(app.dir, { SUPPRESSION_HASH_KEY: KEY }), { timeoutMs: 60_000 });

  beforeAll(async () => {
    const { reference, browser } = await objector({ phone: "07 55 44 33 22", email: "cli.case@example.fr" });
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "objection-record" })).status).toBe(302);
  });

  it("checks a number typed any usual way", { timeout: 120_000 }, async () => {
    for (const phone of ["07 55 44 33 22", "+33755443322", "0033755443322"]) {
      const run = await suppression("check", phone);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toBe("suppressed\n");
    }
    const clear = await suppression("check", "07 55 44 33 23");
    expect(clear.code).toBe(0);
    expect(clear.stdout).toBe("not suppressed\n");
  });

  it("is a usage error (exit 2) without exactly one valid number, and does not echo it", { timeout: 120_000 }, async () => {
    for (const args of [["check"], ["check", "07 55 44"], ["check", "0755443322", "0755443323"], ["frobnicate"]]) {
      const run = await suppression(...args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain("suppression");
      if (args[1]) expect(run.stderr).not.toContain(args[1]);
    }
  });

  it("exports the hashes to a file", { timeout: 120_000 }, async () => {
    const out = path.join(app.dir, "suppression.csv");
    const run = await suppression("export", "--out", out);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/suppression\.csv \d+ hashes\n$/);
    const csv = readFileSync(out, "utf8");
    expect(csv).toContain(`phone,${expectedHash("phone", "+33755443322")},`);
    expect(csv).not.toMatch(/@|755443322/);
    expect((await suppression("export", "--out", path.join(app.dir, "x.txt"))).code).toBe(2);
  });
});

describe("the suppression list never holds a raw number", () => {
  const phoneForms = ["+33769582143", "33769582143", "0769582143", "769582143", "07 69 58 21 43", "07.69.58.21.43", "07-69-58-21-43", "0033769582143"];
  // Searched case-insensitively.
  const emailForms = ["lea.opposee@example.fr", "lea.opposee"];

  const occurrences = (bytes: Buffer, needle: string) => {
    let n = 0;
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) n++;
    return n;
  };
  const dbFile = () => process.env.DATABASE_URL!.replace(/^file:/, "");
  const census = (bytes: Buffer) => {
    const lower = Buffer.from(bytes.toString("latin1").toLowerCase(), "latin1");
    return Object.fromEntries([...phoneForms, ...emailForms].map((f) => [f, occurrences(lower, f)]));
  };
  /** Everything into the main file, free pages dropped: what remains is what the database holds. */
  function compact() {
    const sqlite = new Database(dbFile());
    try {
      expect(sqlite.pragma("wal_checkpoint(TRUNCATE)")).toEqual([expect.objectContaining({ busy: 0 })]);
      sqlite.exec("VACUUM");
      expect(sqlite.pragma("wal_checkpoint(TRUNCATE)")).toEqual([expect.objectContaining({ busy: 0 })]);
    } finally {
      sqlite.close();
    }
  }

  /** PostgreSQL: every row of every table, as text (what a dump would hold). */
  async function everyRow(): Promise<Buffer> {
    const tables = await rawAll<{ name: string }>(app.db(), sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`);
    const rows = await mapInOrder(tables, async ({ name }) => await rawAll<{ row: string }>(app.db(), sql`SELECT t::text AS row FROM ${sql.identifier(name)} t`));
    return Buffer.from(rows.flat().map((r) => r.row).join("\n"));
  }

  /** PostgreSQL: no row of any table gains a copy of the number. */
  async function noCopyInAnyRow() {
    const { reference, browser } = await objector({ phone: "07 69 58 21 43", email: "Lea.Opposee@example.fr" });
    const before = census(await everyRow());
    expect(before["+33769582143"]).toBeGreaterThan(0);
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "objection-record" })).status).toBe(302);
    expect(await app.db().select().from(suppressionList).where(eq(suppressionList.requestId, (await ticketRow(reference)).id))).toHaveLength(2);
    const phonesOnly = (c: Record<string, number>) => Object.fromEntries(phoneForms.map((f) => [f, c[f]]));
    expect(phonesOnly(census(await everyRow()))).toEqual(phonesOnly(before));
  }

  it("writes neither the number, in any format, nor the email anywhere the database keeps data (SQLite: the file and its WAL; PostgreSQL: every row)", async () => {
    if (onPostgres) return await noCopyInAnyRow();
    const { reference, browser } = await objector({ phone: "07 69 58 21 43", email: "Lea.Opposee@example.fr" });
    compact();
    const before = census(readFileSync(dbFile()));
    // The request itself holds her contact details (that is the ticket); nothing else may add a copy.
    expect(before["+33769582143"]).toBeGreaterThan(0);
    expect(before["lea.opposee"]).toBeGreaterThan(0);

    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "objection-record" })).status).toBe(302);
    expect(await app.db().select().from(suppressionList).where(eq(suppressionList.requestId, (await ticketRow(reference)).id))).toHaveLength(2);

    // Every page the objection wrote is in the WAL: none holds any form of the number. The email address
    // appears only as the recipient of the confirmation sent to her (the outbox row), as every message's does.
    const wal = `${dbFile()}-wal`;
    expect(existsSync(wal)).toBe(true);
    const walBytes = readFileSync(wal);
    expect(walBytes.length).toBeGreaterThan(0);
    const phonesOnly = (c: Record<string, number>) => Object.fromEntries(phoneForms.map((f) => [f, c[f]]));
    expect(phonesOnly(census(walBytes))).toEqual(Object.fromEntries(phoneForms.map((f) => [f, 0])));
    const confirmation = await app.db().select().from(outbox).where(and(eq(outbox.requestId, (await ticketRow(reference)).id), eq(outbox.template, "objection_confirmed")));
    expect(confirmation.map((m) => m.recipient)).toEqual(["Lea.Opposee@example.fr"]);

    // And once merged into the database file, the only copies of the number are the ones that were there before.
    compact();
    expect(phonesOnly(census(readFileSync(dbFile())))).toEqual(phonesOnly(before));
    for (const row of (await app.db().select().from(suppressionList))) expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("SUPPRESSION_HASH_KEY", () => {
  const production = { APP_ENV: "production", APP_SECRET: "a".repeat(40), SMTP_URL: "smtp://mail.example.com:587", SMS_GATEWAY_URL: "https://sms.example.com/send", BASE_URL: "https://droits.centrecall.example" };

  it("is required in production, and must not be APP_SECRET", () => {
    expect(() => parseEnv(production)).toThrow(/SUPPRESSION_HASH_KEY is required when APP_ENV=production/);
    expect(() => parseEnv({ ...production, SUPPRESSION_HASH_KEY: "a".repeat(40) })).toThrow(/SUPPRESSION_HASH_KEY must be a secret of its own/);
    expect(() => parseEnv({ ...production, SUPPRESSION_HASH_KEY: "short" })).toThrow(ConfigError);
    expect(parseEnv({ ...production, SUPPRESSION_HASH_KEY: "k".repeat(40), SUPPRESSION_API: "off" }).SUPPRESSION_HASH_KEY).toBe("k".repeat(40));
  });
});

describe("SUPPRESSION_API", () => {
  const production = {
    APP_ENV: "production",
    APP_SECRET: "a".repeat(40),
    SMTP_URL: "smtp://mail.example.com:587",
    SMS_GATEWAY_URL: "https://sms.example.com/send",
    BASE_URL: "https://droits.centrecall.example",
    SUPPRESSION_HASH_KEY: "k".repeat(40),
  };

  it("is on by default in production, so a forgotten token stops start-up instead of silently turning the diallers' check off", () => {
    expect(() => parseEnv(production)).toThrow(/SUPPRESSION_API_TOKEN is required while the suppression API is on \(the default when APP_ENV=production\)/);
    expect(parseEnv({ ...production, SUPPRESSION_API_TOKEN: TOKEN }).SUPPRESSION_API).toBe("on");
    // Turning it off is a written decision.
    expect(parseEnv({ ...production, SUPPRESSION_API: "off" }).SUPPRESSION_API).toBe("off");
    expect(() => parseEnv({ ...production, SUPPRESSION_API: "yes" })).toThrow(/SUPPRESSION_API must be "on" or "off"/);
    // Outside production: on when a token is set, and "on" without one is refused there too.
    expect(parseEnv({ APP_ENV: "development", APP_SECRET: "a".repeat(40) }).SUPPRESSION_API).toBe("off");
    expect(parseEnv({ APP_ENV: "development", APP_SECRET: "a".repeat(40), SUPPRESSION_API_TOKEN: TOKEN }).SUPPRESSION_API).toBe("on");
    expect(() => parseEnv({ APP_ENV: "development", APP_SECRET: "a".repeat(40), SUPPRESSION_API: "on" })).toThrow(/SUPPRESSION_API_TOKEN is required while the suppression API is on \(SUPPRESSION_API=on\)/);
  });

  it("the production server refuses to start with the API on and no token, and says what to set", () => {
    const run = spawnSync(TSX, ["scripts/serve.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NODE_ENV: "production", ...production, PORT: "0", DATA_DIR: app.dir },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Invalid configuration");
    expect(run.stderr).toContain("SUPPRESSION_API_TOKEN is required while the suppression API is on");
    expect(run.stderr).toContain("SUPPRESSION_API=off");
    expect(run.stdout).not.toContain("listening on port");
  });

  it("off answers 404 even with a token", async () => {
    const build = await import(pathToFileURL(path.join(ROOT, "build/server/index.js")).href);
    process.env.SUPPRESSION_API = "off";
    build.entry.module.resetEnvForTests();
    try {
      expect((await check({ phone: "+33611223344" })).status).toBe(404);
    } finally {
      delete process.env.SUPPRESSION_API;
      build.entry.module.resetEnvForTests();
    }
    expect((await check({ phone: "+33611223344" })).status).toBe(200);
  });
});
