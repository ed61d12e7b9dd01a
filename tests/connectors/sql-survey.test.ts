import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigSchema, create, kind, type Config } from "../../app/connectors/sql-survey";
import type { MappingInput } from "../../app/connectors/sql-survey/config";
import { readDate } from "../../app/connectors/sql-survey/dates";
import { createDemoSurveyDatabase, DEMO_RESPONDENTS } from "../../app/connectors/sql-survey/demo";
import { demoSurveyMapping } from "../../app/connectors/sql-survey/demo-mapping";
import { openDriver, type Dialect, type SqlDriver } from "../../app/connectors/sql-survey/dialect";
import { proposedErasurePlan } from "../../app/connectors/sql-survey/erasure-plan";
import {
  ConnectorUnavailable,
  type Connector,
  type ErasurePlan,
  type Match,
  type VerifiedIdentity,
} from "../../app/connectors/types";
import { collectingSink, signal, configProblems } from "../helpers/connector-calls";
import { postgresProbe } from "../helpers/postgres";

/**
 * The sql-survey connector against the three dialects. SQLite always runs (a
 * temp file); PostgreSQL and MariaDB each get a fresh database per run
 * (rd_test_<random>, dropped afterwards) on the servers named by
 * TEST_POSTGRES_URL / TEST_MARIADB_URL. An unreachable server skips its
 * suite with a message, or fails it when REQUIRE_SERVICES=1 (CI).
 */
const REQUIRE = process.env.REQUIRE_SERVICES === "1";
const PG_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const MARIADB_URL = process.env.TEST_MARIADB_URL ?? "mysql://root@127.0.0.1:3306/test";
const MASK_KEY = "test-mask-key-0123456789";

type Target = { dialect: Dialect; url: string; cleanup(): Promise<void> };
type Backend = { name: string; dialect: Dialect; envVar?: string; shownUrl?: string; probe(): Promise<string | null>; provision(): Promise<Target> };

/** A URL fit for a message: no password. */
function redact(url: string) {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}

function withDatabase(url: string, database: string) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const reason = (error: unknown) => {
  const e = error as { message?: string; code?: string; errors?: { message?: string }[] };
  return e?.message || e?.errors?.[0]?.message || e?.code || String(error);
};

const BACKENDS: Backend[] = [
  {
    name: "SQLite",
    dialect: "sqlite",
    probe: async () => null,
    async provision() {
      const dir = mkdtempSync(path.join(tmpdir(), "rd-sql-survey-"));
      return { dialect: "sqlite", url: `file:${path.join(dir, "survey.sqlite")}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: "PostgreSQL",
    dialect: "postgres",
    envVar: "TEST_POSTGRES_URL",
    shownUrl: redact(PG_URL),
    probe: () => postgresProbe(PG_URL),
    async provision() {
      const database = `rd_test_${randomBytes(5).toString("hex")}`;
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${database}`);
      await admin.end();
      return {
        dialect: "postgres",
        url: withDatabase(PG_URL, database),
        async cleanup() {
          const c = new pg.Client({ connectionString: PG_URL });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
          await c.end();
        },
      };
    },
  },
  {
    name: "MariaDB",
    dialect: "mariadb",
    envVar: "TEST_MARIADB_URL",
    shownUrl: redact(MARIADB_URL),
    async probe() {
      try {
        const conn = await mysql.createConnection({ uri: MARIADB_URL, connectTimeout: 2000 });
        await conn.query("SELECT 1");
        await conn.end();
        return null;
      } catch (error) {
        return reason(error);
      }
    },
    async provision() {
      const database = `rd_test_${randomBytes(5).toString("hex")}`;
      const admin = await mysql.createConnection({ uri: MARIADB_URL });
      await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await admin.end();
      return {
        dialect: "mariadb",
        url: withDatabase(MARIADB_URL, database),
        async cleanup() {
          const c = await mysql.createConnection({ uri: MARIADB_URL });
          await c.query(`DROP DATABASE IF EXISTS \`${database}\``);
          await c.end();
        },
      };
    },
  },
];

function configFor(target: { dialect: Dialect; url: string }, overrides: Partial<Record<string, unknown>> = {}): Config {
  return ConfigSchema.parse({
    id: "survey",
    kind: "sql-survey",
    label: "Études de marché (ComPlus)",
    dialect: target.dialect,
    ...(target.dialect === "sqlite" ? { url: target.url } : { urlEnv: "SURVEY_DATABASE_URL" }),
    hashKeyEnv: "SURVEY_MASK_KEY",
    // Small batches so that every IN list and export batch is split.
    batchSize: 2,
    mapping: demoSurveyMapping,
    ...overrides,
  });
}

function connectorFor(target: { dialect: Dialect; url: string }, overrides: Partial<Record<string, unknown>> = {}): Connector {
  const secrets: Record<string, string> = { SURVEY_DATABASE_URL: target.url, SURVEY_MASK_KEY: MASK_KEY };
  return create(configFor(target, overrides), (name) => secrets[name]);
}

const keysOf = (matches: Match[], dataset: string) =>
  matches
    .filter((m) => m.dataset === dataset)
    .map((m) => m.key)
    .sort((a, b) => Number(a) - Number(b));

const corinne = DEMO_RESPONDENTS.corinneDesmarc;
const david = DEMO_RESPONDENTS.davidBlanc;
const nadia = DEMO_RESPONDENTS.nadiaAzri;

function suite(backend: Backend) {
  let target: Target;
  let connector: Connector;
  let raw: SqlDriver;
  const q = (name: string) => (backend.dialect === "mariadb" ? `\`${name}\`` : `"${name}"`);

  beforeAll(async () => {
    target = await backend.provision();
    const created = await createDemoSurveyDatabase(target, { respondents: 40, seed: 7 });
    expect(created.respondents).toBe(44);
    connector = connectorFor(target);
    raw = openDriver(target.dialect, target.url, { poolSize: 1, queryTimeoutMs: 10_000 });
  });

  afterAll(async () => {
    await connector?.close?.();
    await raw?.close();
    await target?.cleanup();
  });

  const respondentRow = async (id: number | string) =>
    (await raw.query(`SELECT * FROM ${q("respondents")} WHERE ${q("id")} = ?`, [String(id)]))[0];
  const count = async (table: string) => Number((await raw.query(`SELECT COUNT(*) AS n FROM ${q(table)}`))[0]?.n);

  it("reports health with its latency", async () => {
    const health = await connector.health();
    expect(health).toMatchObject({ ok: true });
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    expect(health.latencyMs).toBeLessThan(5000);
  });

  it("finds Corinne and her answers by email, whatever the case and spacing of the query", async () => {
    const matches = await connector.find({ email: `  ${corinne.email.toUpperCase()} ` }, signal());
    expect(keysOf(matches, "respondents")).toEqual([String(corinne.id)]);
    expect(keysOf(matches, "answers")).toEqual(["1", "2", "3", "4"]);
    expect(new Set(matches.map((m) => m.matchedOn))).toEqual(new Set(["email"]));
    expect(matches.every((m) => m.connectorId === "survey")).toBe(true);
  });

  it("finds an email stored with capitals (David.Blanc@…) from the lower-cased verified one", async () => {
    const matches = await connector.find({ email: david.email.toLowerCase() }, signal());
    expect(keysOf(matches, "respondents")).toEqual([String(david.id)]);
    expect(matches.find((m) => m.dataset === "respondents")?.matchedOn).toBe("email");
  });

  it("finds by phone (E.164), matchedOn phone", async () => {
    const matches = await connector.find({ phone: nadia.phone }, signal());
    expect(keysOf(matches, "respondents")).toEqual([String(nadia.id)]);
    expect(keysOf(matches, "answers")).toHaveLength(3);
    expect(new Set(matches.map((m) => m.matchedOn))).toEqual(new Set(["phone"]));
    const spaced = await connector.find({ phone: "+33 7 81 22 33 44" }, signal());
    expect(keysOf(spaced, "respondents")).toEqual([String(nadia.id)]);
  });

  it("finds a phone typed in free text when the mapping says numbers are stored as entered", async () => {
    await raw.exec(
      `INSERT INTO ${q("respondents")} (${["id", "last_name", "first_name", "postcode", "city", "phone", "survey_client", "site", "created_at", "source_channel"].map(q).join(", ")}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [9001, "Vicq", "Christophe", "31000", "Toulouse", "06.98.76.54.32", "Osiris", "toulouse", "2026-03-01 10:00:00", "operator_entry"],
    );
    const mapping: MappingInput = structuredClone(demoSurveyMapping);
    mapping.tables.respondents!.identity!.phoneStored = "as-entered";
    const loose = connectorFor(target, { mapping });
    try {
      expect(await connector.find({ phone: "+33698765432" }, signal())).toEqual([]); // e164 mapping: exact only
      const matches = await loose.find({ phone: "+33698765432" }, signal());
      expect(matches).toEqual([{ connectorId: "survey", dataset: "respondents", key: "9001", matchedOn: "phone" }]);
      expect(keysOf(await loose.find({ phone: nadia.phone }, signal()), "respondents")).toEqual([String(nadia.id)]);
    } finally {
      await loose.close?.();
    }
  });

  it("finds by last name + first name + postcode, telling Corinne from Julien in the same household", async () => {
    const matches = await connector.find({ nameAndPostcode: { lastName: "Desmarc", firstName: "Corinne", postcode: "37100" } }, signal());
    expect(keysOf(matches, "respondents")).toEqual([String(corinne.id)]);
    expect(new Set(matches.map((m) => m.matchedOn))).toEqual(new Set(["name_postcode"]));
    const loose = await connector.find({ nameAndPostcode: { lastName: " desmarc ", firstName: "corinne", postcode: "37 100" } }, signal());
    expect(keysOf(loose, "respondents")).toEqual([String(corinne.id)]);
    const wrongPostcode = await connector.find({ nameAndPostcode: { lastName: "Desmarc", firstName: "Corinne", postcode: "37000" } }, signal());
    expect(wrongPostcode).toEqual([]);
  });

  it("keeps one match per record, with the strongest identifier", async () => {
    const identity: VerifiedIdentity = {
      email: david.email.toLowerCase(),
      phone: david.phone,
      nameAndPostcode: { lastName: david.lastName, firstName: david.firstName, postcode: david.postcode },
    };
    const matches = await connector.find(identity, signal());
    expect(matches.filter((m) => m.dataset === "respondents")).toEqual([{ connectorId: "survey", dataset: "respondents", key: String(david.id), matchedOn: "email" }]);
    expect(new Set(matches.map((m) => `${m.dataset}:${m.key}`)).size).toBe(matches.length);
    expect(new Set(matches.map((m) => m.matchedOn))).toEqual(new Set(["email"]));
    const phoneAndName = await connector.find({ phone: identity.phone, nameAndPostcode: identity.nameAndPostcode }, signal());
    expect(phoneAndName.find((m) => m.dataset === "respondents")?.matchedOn).toBe("phone");
  });

  it("finds nothing for someone it does not hold", async () => {
    expect(await connector.find({ email: "personne@example.invalid" }, signal())).toEqual([]);
    expect(await connector.find({ phone: "+33600000000" }, signal())).toEqual([]);
    expect(await connector.find({ nameAndPostcode: { lastName: "Inconnu", firstName: "Jean", postcode: "37100" } }, signal())).toEqual([]);
    expect(await connector.find({}, signal())).toEqual([]);
  });

  it("treats SQL in identity values as data: it matches nothing and changes nothing", async () => {
    const before = await count("respondents");
    const attempts: VerifiedIdentity[] = [
      { email: "x' OR '1'='1" },
      { email: "x\" OR \"1\"=\"1" },
      { email: "' OR 1=1; DROP TABLE respondents; --" },
      { phone: "+33612345678' OR '1'='1" },
      { nameAndPostcode: { lastName: "x' OR '1'='1", firstName: "x' OR '1'='1", postcode: "' OR 1=1 --" } },
      { nameAndPostcode: { lastName: "DESMARC') OR ('1'='1", firstName: "CORINNE", postcode: "37100" } },
    ];
    for (const identity of attempts) expect(await connector.find(identity, signal())).toEqual([]);
    expect(await count("respondents")).toBe(before);
  });

  it("stops when the gather is aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(connector.find({ email: corinne.email }, controller.signal)).rejects.toThrow();
  });

  it("exports the respondent and her answers as plain fields with ISO dates and the portability subset", async () => {
    const matches = await connector.find({ email: corinne.email }, signal());
    const { sink, records, anomalies } = collectingSink({ noFiles: "sql-survey exports no files" });
    const summary = await connector.export(matches, sink);
    expect(summary).toEqual({ records: 5, files: 0, anomalies: 0 });
    expect(anomalies).toEqual([]);
    expect(records.map((r) => r.dataset)).toEqual(["respondents", "answers", "answers", "answers", "answers"]);

    const person = records[0]!;
    expect(person.key).toBe(String(corinne.id));
    expect(person.fields).toMatchObject({
      last_name: "DESMARC",
      first_name: "CORINNE",
      address: "2, place de l'Église",
      postcode: "37100",
      city: "Tours",
      email: "desmarc.corinne@orange.fr",
      survey_client: "Osiris",
      site: "tours",
      source_channel: "operator_entry",
    });
    // A zone is kept when stored (sqlite text, postgres timestamptz), never invented (MariaDB DATETIME).
    expect(person.fields.created_at).toMatch(/^2026-03-14T09:12:00(\.000Z)?$/);
    expect(person.providedBySubject).toEqual(expect.arrayContaining(["last_name", "first_name", "email", "postcode"]));
    expect(person.providedBySubject).not.toContain("site");
    expect(person.providedBySubject).not.toContain("survey_client");

    const answers = records.slice(1);
    expect(answers.map((a) => a.fields.answer)).toEqual(["OUI", "Facebook", "Plusieurs fois par jour", "est intrusive"]);
    expect(answers.every((a) => a.fields.answered_at === "2026-03-14")).toBe(true);
    expect(answers.every((a) => a.fields.respondent_id === corinne.id)).toBe(true);
    expect(answers[0]!.providedBySubject).toEqual(["answer"]);
    // Portability (WP242): the answer with its question and date; the taking part, observed; our keys, nothing.
    expect(answers[0]!.portability).toEqual({ question: "context", answer: "provided", answered_at: "observed" });
    expect(person.portability).toMatchObject({ email: "provided", created_at: "observed", source_channel: "observed", site: "observed", survey_client: "context" });
    expect(person.portability).not.toHaveProperty("id");
    for (const r of records) for (const v of Object.values(r.fields)) expect(["string", "number", "boolean"].includes(typeof v) || v === null).toBe(true);
  });

  it("never guesses a mobile_json date whose day and month can be swapped: null, and an anomaly with the raw text and each reading", async () => {
    // David's respondent row came through mobile_json; his answers inherit that channel through the relation.
    const matches = await connector.find({ phone: david.phone }, signal());
    const { sink, records, anomalies } = collectingSink({ noFiles: "sql-survey exports no files" });
    const summary = await connector.export(matches, sink);
    expect(summary).toEqual({ records: 4, files: 0, anomalies: 3 });
    const byRaw = (raw: string) => anomalies.filter((a) => a.raw === raw);
    // 03/05/2026: 3 May day-first, 5 March month-first — both real dates, so neither is taken.
    expect(byRaw("03/05/2026")).toEqual([
      {
        dataset: "answers",
        key: expect.any(String),
        field: "answered_at",
        raw: "03/05/2026",
        expected: "iso-datetime | dd/mm/yyyy",
        kind: "ambiguous",
        readings: [
          { format: "dd/mm/yyyy", value: "2026-05-03" },
          { format: "mm/dd/yyyy", value: "2026-03-05" },
        ],
      },
    ]);
    // 03/13/2026 fails the declared day-first format but fits the swapped one: reported with that one reading.
    expect(byRaw("03/13/2026")).toHaveLength(2);
    for (const a of byRaw("03/13/2026"))
      expect(a).toMatchObject({ dataset: "answers", field: "answered_at", kind: "ambiguous", readings: [{ format: "mm/dd/yyyy", value: "2026-03-13" }] });
    for (const a of anomalies) expect(records.find((r) => r.dataset === "answers" && r.key === a.key)?.fields.answered_at).toBeNull();
    expect(records.filter((r) => r.dataset === "answers").map((r) => r.fields.answered_at)).toEqual([null, null, null]);
    // The respondent row itself holds only an ISO timestamp: nothing ambiguous there.
    expect(records.find((r) => r.dataset === "respondents")?.fields.created_at).toMatch(/^2026-03-04T17:40:00/);
  });

  it("keeps reading other channels' slashed dates day-first, and a column declared ambiguous is ambiguous in every row", async () => {
    const cols = ["id", "last_name", "first_name", "postcode", "city", "email", "survey_client", "site", "created_at", "source_channel"];
    await raw.exec(`INSERT INTO ${q("respondents")} (${cols.map(q).join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`, [
      9002, "Vicq", "Christophe", "37000", "Tours", "christophe.vicq@example.fr", "Osiris", "tours", "2026-04-03 10:00:00", "operator_entry",
    ]);
    await raw.exec(`INSERT INTO ${q("answers")} (${["id", "respondent_id", "question", "answer", "answered_at"].map(q).join(", ")}) VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)`, [
      9002, 9002, "Possédez-vous un smartphone ?", "OUI", "03/04/2026",
      9003, 9002, "Quels réseaux ?", "Facebook", "05/05/2026",
    ]);
    const matches = await connector.find({ email: "christophe.vicq@example.fr" }, signal());
    const typed = collectingSink({ noFiles: "sql-survey exports no files" });
    expect(await connector.export(matches, typed.sink)).toEqual({ records: 3, files: 0, anomalies: 0 });
    expect(typed.records.filter((r) => r.dataset === "answers").map((r) => r.fields.answered_at)).toEqual(["2026-04-03", "2026-05-05"]);

    const mapping: MappingInput = structuredClone(demoSurveyMapping);
    delete mapping.tables.respondents!.channel;
    mapping.tables.answers!.columns.answered_at = { dateFormats: ["iso-datetime", "dd/mm/yyyy"], ambiguousDayMonth: true };
    const everywhere = connectorFor(target, { mapping });
    try {
      const { sink, records, anomalies } = collectingSink({ noFiles: "sql-survey exports no files" });
      expect(await everywhere.export(matches, sink)).toEqual({ records: 3, files: 0, anomalies: 1 });
      expect(anomalies).toEqual([
        expect.objectContaining({ key: "9002", raw: "03/04/2026", kind: "ambiguous", readings: [{ format: "dd/mm/yyyy", value: "2026-04-03" }, { format: "mm/dd/yyyy", value: "2026-03-04" }] }),
      ]);
      // 05/05/2026 reads the same both ways: not ambiguous.
      expect(records.filter((r) => r.dataset === "answers").map((r) => r.fields.answered_at)).toEqual([null, "2026-05-05"]);
    } finally {
      await everywhere.close?.();
    }
  });

  it("restricts and lifts the restriction through the rightsdesk_restrictions side table", async () => {
    const matches = await connector.find({ email: corinne.email }, signal());
    await connector.restrict!(matches, true);
    const listed = async () =>
      (await raw.query(`SELECT ${q("dataset")}, ${q("key")}, ${q("since")} FROM ${q("rightsdesk_restrictions")} ORDER BY ${q("dataset")}, ${q("key")}`)).map((r) => ({
        dataset: r.dataset,
        key: r.key,
        since: r.since,
      }));
    const first = await listed();
    expect(first.map((r) => `${r.dataset}:${r.key}`)).toEqual(["answers:1", "answers:2", "answers:3", "answers:4", `respondents:${corinne.id}`]);
    await connector.restrict!(matches, true);
    expect(await listed()).toEqual(first); // idempotent: the original `since` is kept
    await connector.restrict!(matches, false);
    expect(await listed()).toEqual([]);
  });

  it("restricts through a flag column when the mapping declares one", async () => {
    const type = backend.dialect === "mariadb" ? "TINYINT" : "INTEGER";
    await raw.exec(`ALTER TABLE ${q("respondents")} ADD COLUMN ${q("restricted")} ${type} NOT NULL DEFAULT 0`);
    const mapping: MappingInput = structuredClone(demoSurveyMapping);
    mapping.tables.respondents!.restrictedColumn = "restricted";
    const flagged = connectorFor(target, { mapping });
    try {
      const matches = await flagged.find({ phone: david.phone }, signal());
      await flagged.restrict!(matches, true);
      expect(Number((await respondentRow(david.id))?.restricted)).toBe(1);
      expect(Number((await respondentRow(corinne.id))?.restricted)).toBe(0);
      await flagged.restrict!(matches, false);
      expect(Number((await respondentRow(david.id))?.restricted)).toBe(0);
      await flagged.restrict!(matches.filter((m) => m.dataset === "answers"), false);
    } finally {
      await flagged.close?.();
    }
  });

  it("rectifies a field after checking it still holds the approved `from`, and re-reading shows it", async () => {
    const matches = await connector.find({ email: david.email }, signal());
    const person = matches.find((m) => m.dataset === "respondents")!;
    const change = { match: person, field: "address", from: "18, rue de la Roquette", to: "20, rue de la Roquette" };
    await connector.rectify!(matches, [change]);
    await connector.rectify!(matches, [change]); // already applied: a no-op
    const { sink, records } = collectingSink({ noFiles: "sql-survey exports no files" });
    await connector.export([person], sink);
    expect(records[0]?.fields.address).toBe("20, rue de la Roquette");

    await expect(connector.rectify!(matches, [{ ...change, from: "somewhere else", to: "1, rue Ailleurs" }])).rejects.toThrow(/changed since/);
    await expect(connector.rectify!(matches, [{ match: person, field: "favourite_colour", from: null, to: "blue" }])).rejects.toThrow(/not a rectifiable column/);
    await expect(connector.rectify!(matches, [{ match: person, field: "phone", from: david.phone, to: "06 12 34 56 78" }])).rejects.toThrow(/E\.164/);
  });

  it("rectifies an unreadable date to one in the declared format, which then exports without anomaly", async () => {
    const matches = await connector.find({ phone: david.phone }, signal());
    const broken = (await raw.query(`SELECT ${q("id")} FROM ${q("answers")} WHERE ${q("answered_at")} = ? ORDER BY ${q("id")}`, ["03/13/2026"]))[0]!;
    const match = matches.find((m) => m.dataset === "answers" && m.key === String(broken.id))!;
    await expect(connector.rectify!(matches, [{ match, field: "answered_at", from: "03/13/2026", to: "2026-13-03" }])).rejects.toThrow(/iso-datetime \| dd\/mm\/yyyy/);
    await connector.rectify!(matches, [{ match, field: "answered_at", from: "03/13/2026", to: "13/03/2026" }]);
    const { sink, records, anomalies } = collectingSink({ noFiles: "sql-survey exports no files" });
    await connector.export([match], sink);
    expect(anomalies).toEqual([]);
    expect(records[0]?.fields.answered_at).toBe("2026-03-13");
  });

  it("rectifies an ambiguous date from the reading staff chose, and refuses a `from` it never showed", async () => {
    const matches = await connector.find({ phone: david.phone }, signal());
    const ambiguous = (await raw.query(`SELECT ${q("id")} FROM ${q("answers")} WHERE ${q("answered_at")} = ?`, ["03/05/2026"]))[0]!;
    const match = matches.find((m) => m.dataset === "answers" && m.key === String(ambiguous.id))!;
    await expect(connector.rectify!(matches, [{ match, field: "answered_at", from: "2026-06-01", to: "05/03/2026" }])).rejects.toThrow(/changed since/);
    // Staff read it month-first (5 March): that reading is the `from` the DPO approved.
    await connector.rectify!(matches, [{ match, field: "answered_at", from: "2026-03-05", to: "05/03/2026" }]);
    const { sink, records } = collectingSink({ noFiles: "sql-survey exports no files" });
    await connector.export([match], sink);
    expect(records[0]?.fields.answered_at).toBeNull(); // 05/03/2026 still reads both ways in this channel
  });

  it("erases with the plan — respondent anonymised, answers deleted — leaving nothing findable, and a second run changes nothing", async () => {
    const identity: VerifiedIdentity = {
      email: nadia.email,
      phone: nadia.phone,
      nameAndPostcode: { lastName: nadia.lastName, firstName: nadia.firstName, postcode: nadia.postcode },
    };
    const matches = await connector.find(identity, signal());
    expect(matches).toHaveLength(4);
    // The mapping's proposal is the plan the DPO would approve here: anonymise the respondent, delete the answers.
    const plan: ErasurePlan = proposedErasurePlan(configFor(target), matches);
    expect(plan.steps.map((s) => `${s.match.dataset}:${s.action.kind}`).sort()).toEqual([
      "answers:delete",
      "answers:delete",
      "answers:delete",
      "respondents:anonymize",
    ]);
    // What the respondent row will still hold, field by field, with the mapping's ground and end date.
    const statistics = demoSurveyMapping.tables.respondents.erasure.kept;
    expect(plan.steps.find((s) => s.action.kind === "anonymize")!.action).toEqual({
      kind: "anonymize",
      rule: "mapping:respondents",
      removed: ["last_name", "first_name", "address", "phone"],
      kept: [
        { field: "postcode", form: "generalised", ...statistics },
        { field: "city", form: "unchanged", ...statistics },
        { field: "email", form: "keyed-hash", ...statistics },
        { field: "survey_client", form: "unchanged", ...statistics },
        { field: "site", form: "unchanged", ...statistics },
        { field: "created_at", form: "unchanged", legalBasis: demoSurveyMapping.tables.respondents.erasure.mask.created_at.retain, until: "P2Y" },
        { field: "source_channel", form: "unchanged", ...statistics },
      ],
    });
    const answersBefore = await count("answers");
    // Everyone else, row by row: an erasure touches exactly what the plan names.
    const others = async () => ({
      respondents: await raw.query(`SELECT * FROM ${q("respondents")} WHERE ${q("id")} <> ? ORDER BY ${q("id")}`, [String(nadia.id)]),
      answers: await raw.query(`SELECT * FROM ${q("answers")} WHERE ${q("respondent_id")} <> ? ORDER BY ${q("id")}`, [String(nadia.id)]),
    });
    const othersBefore = await others();
    expect(othersBefore.respondents.length).toBeGreaterThan(10);

    const first = await connector.erase(matches, plan);
    expect(first.failed).toEqual([]);
    expect(first.retained).toEqual([]);
    expect(first.done).toHaveLength(4);

    expect(await connector.find(identity, signal())).toEqual([]);
    expect(await connector.find({ email: nadia.email }, signal())).toEqual([]);
    expect(await connector.find({ phone: nadia.phone }, signal())).toEqual([]);
    expect(await count("answers")).toBe(answersBefore - 3);
    expect(await others()).toEqual(othersBefore);

    const row = await respondentRow(nadia.id);
    expect(row).toMatchObject({ last_name: null, first_name: null, phone: null, address: "[effacé]", postcode: "59xxx", city: "Lille", site: "lille" });
    expect(row?.email).toMatch(/^anon:[A-Za-z0-9_-]{22}$/);
    expect(row?.created_at).toBeTruthy(); // retained by the mapping: proof of the interview

    const second = await connector.erase(matches, plan);
    expect(second.failed).toEqual([]);
    expect(second.done).toHaveLength(4);
    expect(await respondentRow(nadia.id)).toEqual(row);
    expect(await count("answers")).toBe(answersBefore - 3);
  });

  it("reports retained records, refuses to orphan answers, and flags records without a step", async () => {
    const [someone] = await raw.query(`SELECT ${q("respondent_id")} AS id FROM ${q("answers")} WHERE ${q("respondent_id")} > 4 ORDER BY ${q("id")}`);
    const respondent: Match = { connectorId: "survey", dataset: "respondents", key: String(someone!.id), matchedOn: "email" };

    const kept = await connector.erase([respondent], { steps: [{ match: respondent, action: { kind: "retain", legalBasis: "Art. 17(3)(e)", until: "2031-12-31" } }] });
    expect(kept).toEqual({ done: [], retained: [respondent], failed: [] });

    const orphaning = await connector.erase([respondent], { steps: [{ match: respondent, action: { kind: "delete" } }] });
    expect(orphaning.done).toEqual([]);
    expect(orphaning.failed).toEqual([{ match: respondent, error: expect.stringMatching(/related "answers" row\(s\) would be left behind/) }]);
    expect(await respondentRow(respondent.key)).toBeTruthy();

    const unplanned = await connector.erase([respondent], { steps: [] });
    expect(unplanned.failed).toEqual([{ match: respondent, error: "no erasure step planned for this record" }]);

    const answer = (await connector.find({ email: corinne.email }, signal())).find((m) => m.dataset === "answers")!;
    const noMask = await connector.erase([answer], { steps: [{ match: answer, action: { kind: "anonymize", rule: "mapping" } }] });
    expect(noMask.failed[0]?.error).toMatch(/declares no masking rules/);
  });
}

for (const backend of BACKENDS) {
  const unreachable = await backend.probe();
  const title = `sql-survey connector on ${backend.name}`;
  if (unreachable && REQUIRE) {
    describe(title, () => {
      it(`needs ${backend.name} (REQUIRE_SERVICES=1)`, () => {
        throw new Error(`${backend.name} is not reachable at ${backend.shownUrl}: ${unreachable}. Start it, or point ${backend.envVar} at a server.`);
      });
    });
    continue;
  }
  if (unreachable)
    console.warn(
      `[sql-survey] skipping the ${backend.name} tests: ${backend.shownUrl} is not reachable (${unreachable}). Set ${backend.envVar}, or REQUIRE_SERVICES=1 to make this a failure.`,
    );
  describe.skipIf(unreachable !== null)(title, () => suite(backend));
}

/** As the registry reports a problem: connectors[0].mapping.tables.respondents.identity.email */
const problems = (entry: unknown) => configProblems(ConfigSchema, entry, ["connectors", 0]);

describe("sql-survey configuration", () => {
  const base = { id: "survey", kind, label: "Études", dialect: "sqlite", url: "file:var/demo-survey.sqlite", hashKeyEnv: "SURVEY_MASK_KEY", mapping: demoSurveyMapping };
  const withTable = (name: "respondents" | "answers", patch: Record<string, unknown>) => ({
    ...base,
    mapping: { tables: { ...demoSurveyMapping.tables, [name]: { ...demoSurveyMapping.tables[name], ...patch } } },
  });

  it("accepts the demo configuration and fills the defaults", () => {
    expect(problems(base)).toEqual([]);
    const config = ConfigSchema.parse(base);
    expect(config.batchSize).toBe(500);
    expect(config.mapping.tables.answers?.columns.answer?.providedBySubject).toBe(true);
    expect(config.mapping.tables.answers?.columns.question?.providedBySubject).toBe(false);
  });

  it("names the path of a bad identity column", () => {
    const badName = withTable("respondents", { identity: { ...demoSurveyMapping.tables.respondents.identity, email: "e-mail; DROP" } });
    expect(problems(badName)).toEqual([expect.stringMatching(/^connectors\[0\]\.mapping\.tables\.respondents\.identity\.email: must be a plain SQL identifier/)]);
    const undeclared = withTable("respondents", { identity: { ...demoSurveyMapping.tables.respondents.identity, email: "mail" } });
    expect(problems(undeclared)).toEqual([
      'connectors[0].mapping.tables.respondents.identity.email: column "mail" is not declared in tables.respondents.columns',
    ]);
  });

  it("ties url and urlEnv to the dialect, keeping server passwords out of the file", () => {
    expect(problems({ ...base, url: undefined })).toEqual([expect.stringMatching(/^connectors\[0\]\.url: required for dialect "sqlite"/)]);
    expect(problems({ ...base, dialect: "postgres", url: "postgres://u:p@db/survey" })).toEqual([
      expect.stringMatching(/^connectors\[0\]\.urlEnv: required for dialect "postgres"/),
      expect.stringMatching(/^connectors\[0\]\.url: not allowed for dialect "postgres"/),
    ]);
    expect(problems({ ...base, dialect: "mariadb", url: undefined, urlEnv: "SURVEY_DATABASE_URL" })).toEqual([]);
    expect(problems({ ...base, dialect: "oracle" })).toEqual([expect.stringMatching(/^connectors\[0\]\.dialect: expected one of "sqlite", "postgres", "mariadb"/)]);
    expect(problems({ ...base, dialect: "postgres", url: undefined, urlEnv: "lower-case" })).toEqual([expect.stringMatching(/^connectors\[0\]\.urlEnv: must be the name of an environment variable/)]);
  });

  it("checks relations, masking, date formats and unknown fields, each at its path", () => {
    expect(problems(withTable("answers", { relation: { to: "people", column: "respondent_id" } }))).toEqual([
      expect.stringMatching(/^connectors\[0\]\.mapping\.tables\.answers\.relation\.to: no dataset "people"/),
    ]);
    const { email: _unmasked, ...mask } = demoSurveyMapping.tables.respondents.erasure.mask;
    const kept = demoSurveyMapping.tables.respondents.erasure.kept;
    expect(problems(withTable("respondents", { erasure: { strategy: "anonymize", mask, kept } }))).toEqual([
      expect.stringMatching(/^connectors\[0\]\.mapping\.tables\.respondents\.erasure\.mask\.email: identity column "email" must be masked/),
    ]);
    expect(problems(withTable("respondents", { erasure: { strategy: "anonymize", mask: { ...mask, email: "scramble" }, kept } }))).toEqual([
      expect.stringMatching(/^connectors\[0\]\.mapping\.tables\.respondents\.erasure\.mask\.email: expected "null", "keyed-hash"/),
    ]);
    expect(problems(withTable("answers", { erasure: { strategy: "retain", legalBasis: "Art. 17(3)(b)" } }))).toEqual([
      expect.stringMatching(/^connectors\[0\]\.mapping\.tables\.answers\.erasure\.until: required/),
    ]);
    expect(problems(withTable("answers", { erasure: { strategy: "shred" } }))).toEqual([expect.stringMatching(/^connectors\[0\]\.mapping\.tables\.answers\.erasure\.strategy: expected \{"strategy": "delete"\}/)]);
    const columns = { ...demoSurveyMapping.tables.answers.columns, answered_at: { dateFormats: ["dd/mm/yyyy", "mm/dd/yyyy"] } };
    expect(problems(withTable("answers", { columns }))).toEqual([
      expect.stringMatching(/^connectors\[0\]\.mapping\.tables\.answers\.columns\.answered_at\.dateFormats: dd\/mm\/yyyy and mm\/dd\/yyyy together/),
    ]);
    expect(problems(withTable("answers", { primaryKey: "id", primary_key: "id" }))).toEqual([
      expect.stringMatching(/^connectors\[0\]\.mapping\.tables\.answers: unknown field "primary_key"/),
    ]);
    expect(problems({ ...base, hashKeyEnv: undefined })).toEqual([expect.stringMatching(/^connectors\[0\]\.hashKeyEnv: required: tables\.respondents\.erasure\.mask uses keyed-hash/)]);
  });

  it("requires a legal ground and an end date for whatever an anonymised row keeps", () => {
    const { mask, kept } = demoSurveyMapping.tables.respondents.erasure;
    // Without `kept`, the columns the mask leaves, hashes or generalises are named.
    expect(problems(withTable("respondents", { erasure: { strategy: "anonymize", mask } }))).toEqual([
      'connectors[0].mapping.tables.respondents.erasure.kept: required: postcode, city, email, survey_client, site, source_channel stay in the row after masking (left as they are, hashed or generalised): give their legal ground and end date, {"legalBasis": "…", "until": "P3Y"}, or mask them with null or a fixed text',
    ]);
    // Masking every column with null or a fixed text keeps nothing: no ground needed, the row is anonymous.
    const everything = Object.fromEntries(Object.keys(demoSurveyMapping.tables.respondents.columns).filter((c) => c !== "id").map((c) => [c, "null"]));
    expect(problems(withTable("respondents", { erasure: { strategy: "anonymize", mask: everything } }))).toEqual([]);
    expect(problems(withTable("respondents", { erasure: { strategy: "anonymize", mask, kept: { legalBasis: "statistiques" } } }))).toEqual([
      "connectors[0].mapping.tables.respondents.erasure.kept.until: required: until, when keeping what the mask leaves in the row ends — an ISO date (2031-12-31) or a duration from the row's creation (P3Y)",
    ]);
    expect(problems(withTable("respondents", { erasure: { strategy: "anonymize", mask, kept: { ...kept, until: "two years" } } }))).toEqual([
      "connectors[0].mapping.tables.respondents.erasure.kept.until: expected an ISO date (2031-12-31) or a duration from the row's creation (P3Y)",
    ]);
    // A retain rule says until when, too.
    expect(problems(withTable("respondents", { erasure: { strategy: "anonymize", mask: { ...mask, created_at: { retain: "preuve" } }, kept } }))).toEqual([
      "connectors[0].mapping.tables.respondents.erasure.mask.created_at: a retain rule needs until, when keeping this column ends: an ISO date (2031-12-31) or a duration from the row's creation (P3Y)",
    ]);
    expect(problems(withTable("respondents", { erasure: { strategy: "anonymize", mask: { ...mask, created_at: { retain: "preuve", until: "2031-31-12x" } }, kept } }))).toEqual([
      "connectors[0].mapping.tables.respondents.erasure.mask.created_at.until: expected an ISO date (2031-12-31) or a duration from the row's creation (P3Y)",
    ]);
    expect(problems(withTable("respondents", { erasure: { strategy: "anonymize", mask: { ...mask, created_at: { retain: "preuve", until: "2031-12-31", why: "x" } }, kept } }))).toEqual([
      'connectors[0].mapping.tables.respondents.erasure.mask.created_at: unknown field "why" in a retain rule (retain, until)',
    ]);
  });

  it("proposes to keep a retained table's every declared field, with its ground and end date", () => {
    const config = ConfigSchema.parse(withTable("answers", { erasure: { strategy: "retain", legalBasis: "Art. 17(3)(e)", until: "2031-12-31" } }));
    const match: Match = { connectorId: "survey", dataset: "answers", key: "7", matchedOn: "email" };
    expect(proposedErasurePlan(config, [match]).steps).toEqual([
      { match, action: { kind: "retain", legalBasis: "Art. 17(3)(e)", until: "2031-12-31", fields: ["respondent_id", "question", "answer", "answered_at"] } },
    ]);
  });

  it("declares the portability subset per column: provided, observed, or the context that explains them", () => {
    const config = ConfigSchema.parse(base);
    expect(config.mapping.tables.answers?.columns.question?.portability).toBe("context");
    expect(config.mapping.tables.answers?.columns.answered_at?.portability).toBe("observed");
    const columns = demoSurveyMapping.tables.answers.columns;
    expect(problems(withTable("answers", { columns: { ...columns, answer: { providedBySubject: true, portability: "observed" } } }))).toEqual([
      'connectors[0].mapping.tables.answers.columns.answer.portability: providedBySubject means "provided": a column cannot also be "observed"',
    ]);
    expect(problems(withTable("answers", { columns: { ...columns, question: { portability: "inferred" } } }))).toEqual([
      'connectors[0].mapping.tables.answers.columns.question.portability: expected one of "provided", "observed", "context"',
    ]);
    // Context with nothing of the person's beside it would put rows about nobody in the archive.
    expect(problems(withTable("answers", { columns: { ...columns, answer: {}, answered_at: { dateFormats: ["iso-datetime"] } } }))).toEqual([
      'connectors[0].mapping.tables.answers.columns.question.portability: "context" explains provided or observed data in the same table, and tables.answers has none: such a row would say nothing about the person',
    ]);
  });

  it("checks where day and month may be swapped: a column's flag needs a slashed format, a channel a declared column and values", () => {
    const answers = demoSurveyMapping.tables.answers.columns;
    expect(problems(withTable("answers", { columns: { ...answers, answered_at: { dateFormats: ["iso-datetime"], ambiguousDayMonth: true } } }))).toEqual([
      "connectors[0].mapping.tables.answers.columns.answered_at.ambiguousDayMonth: needs dd/mm/yyyy or mm/dd/yyyy in dateFormats (only a slashed date can have its day and month swapped)",
    ]);
    expect(problems(withTable("answers", { columns: { ...answers, question: { ambiguousDayMonth: true } } }))).toEqual([
      "connectors[0].mapping.tables.answers.columns.question.ambiguousDayMonth: needs dd/mm/yyyy or mm/dd/yyyy in dateFormats (only a slashed date can have its day and month swapped)",
    ]);
    expect(problems(withTable("answers", { columns: { ...answers, answered_at: { dateFormats: ["dd/mm/yyyy"], ambiguousDayMonth: "yes" } } }))).toEqual([
      "connectors[0].mapping.tables.answers.columns.answered_at.ambiguousDayMonth: expected true or false",
    ]);
    expect(problems(withTable("answers", { columns: { ...answers, answered_at: { dateFormats: ["mm/dd/yyyy"], ambiguousDayMonth: true } } }))).toEqual([]);

    const channel = (c: unknown) => withTable("respondents", { channel: c });
    expect(problems(channel({ column: "source_channel", ambiguousDates: ["mobile_json", "sms"] }))).toEqual([]);
    expect(problems(channel({ column: "channel", ambiguousDates: ["mobile_json"] }))).toEqual([
      'connectors[0].mapping.tables.respondents.channel.column: column "channel" is not declared in tables.respondents.columns',
    ]);
    expect(problems(channel({ column: "source_channel", ambiguousDates: [] }))).toEqual([
      "connectors[0].mapping.tables.respondents.channel.ambiguousDates: list at least one channel value, or leave channel out",
    ]);
    expect(problems(channel({ column: "source_channel", ambiguousDates: [" "] }))).toEqual([
      "connectors[0].mapping.tables.respondents.channel.ambiguousDates[0]: must not be empty: a channel value",
    ]);
    expect(problems(channel({ column: "source_channel" }))).toEqual([
      expect.stringMatching(/^connectors\[0\]\.mapping\.tables\.respondents\.channel\.ambiguousDates: required: the channel values whose dates may have day and month swapped/),
    ]);
    expect(problems(channel({ column: "source_channel", ambiguousDates: "mobile_json" }))).toEqual([
      'connectors[0].mapping.tables.respondents.channel.ambiguousDates: expected a list of channel values, e.g. ["mobile_json"]',
    ]);
    expect(problems(channel({ column: "source_channel", ambiguousDates: ["mobile_json"], values: ["x"] }))).toEqual([
      'connectors[0].mapping.tables.respondents.channel: unknown field "values" in channel (column, ambiguousDates)',
    ]);
    expect(problems(channel("mobile_json"))).toEqual(["connectors[0].mapping.tables.respondents.channel: expected an object: channel (column, ambiguousDates)"]);
  });

  it("is the mapping the committed demo configuration uses, with the mobile app's channel declared ambiguous", () => {
    expect(ConfigSchema.parse(base).mapping.tables.respondents?.channel).toEqual({ column: "source_channel", ambiguousDates: ["mobile_json"] });
    const committed = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../connectors.config.json"), "utf8")) as { connectors: { id: string; mapping?: unknown }[] };
    expect(committed.connectors.find((c) => c.id === "survey")?.mapping).toEqual(demoSurveyMapping);
  });

  it("reads secrets by name at creation and never echoes them", () => {
    const pgConfig = ConfigSchema.parse({ ...base, dialect: "postgres", url: undefined, urlEnv: "SURVEY_DATABASE_URL" });
    expect(() => create(pgConfig, () => undefined)).toThrow("urlEnv: environment variable SURVEY_DATABASE_URL is not set");
    let message = "";
    try {
      create(pgConfig, (name) => (name === "SURVEY_DATABASE_URL" ? "mysql://u:s3cret@db/x" : MASK_KEY));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe("urlEnv: environment variable SURVEY_DATABASE_URL must hold a postgres:// URL");
    expect(() => create(ConfigSchema.parse(base), () => undefined)).toThrow("hashKeyEnv: environment variable SURVEY_MASK_KEY is not set");
  });

  it("reports an unreachable server through health and a retryable error, without the password", async () => {
    const config = ConfigSchema.parse({ ...base, dialect: "postgres", url: undefined, urlEnv: "SURVEY_DATABASE_URL", queryTimeoutMs: 2000 });
    const connector = create(config, (name) => (name === "SURVEY_DATABASE_URL" ? "postgres://rd:s3cret@127.0.0.1:1/survey" : MASK_KEY));
    try {
      const health = await connector.health();
      expect(health.ok).toBe(false);
      expect(health.detail).toMatch(/ECONNREFUSED/);
      expect(health.detail).not.toContain("s3cret");
      await expect(connector.find({ email: corinne.email }, signal())).rejects.toBeInstanceOf(ConnectorUnavailable);
    } finally {
      await connector.close?.();
    }
  });

  it("reports a missing SQLite file instead of creating an empty one", async () => {
    const connector = create(ConfigSchema.parse({ ...base, url: "file:/nonexistent/rd-survey.sqlite" }), () => MASK_KEY);
    const health = await connector.health();
    expect(health).toMatchObject({ ok: false, detail: expect.stringMatching(/survey database file not found/) });
    await expect(connector.find({ email: corinne.email }, signal())).rejects.toBeInstanceOf(ConnectorUnavailable);
  });
});

describe("declared date formats", () => {
  it("reads each declared format strictly, in order, and returns the raw text when none fits", () => {
    expect(readDate("2026-03-14", ["iso-date"])).toEqual({ ok: true, value: "2026-03-14" });
    expect(readDate("2026-02-30", ["iso-date"])).toEqual({ ok: false, raw: "2026-02-30" });
    expect(readDate("2026-03-14T10:22:00+01:00", ["iso-datetime"])).toEqual({ ok: true, value: "2026-03-14T09:22:00.000Z" });
    expect(readDate("2026-03-14 09:22:00+00", ["iso-datetime"])).toEqual({ ok: true, value: "2026-03-14T09:22:00.000Z" });
    expect(readDate("2026-03-14 09:22:00", ["iso-datetime"])).toEqual({ ok: true, value: "2026-03-14T09:22:00" });
    expect(readDate("14/03/2026", ["dd/mm/yyyy"])).toEqual({ ok: true, value: "2026-03-14" });
    expect(readDate("03/14/2026", ["mm/dd/yyyy"])).toEqual({ ok: true, value: "2026-03-14" });
    expect(readDate("13/25/2026", ["iso-datetime", "dd/mm/yyyy"])).toEqual({ ok: false, raw: "13/25/2026" });
    expect(readDate("29/02/2025", ["dd/mm/yyyy"])).toEqual({ ok: false, raw: "29/02/2025" });
    expect(readDate(1773480120000, ["epoch-ms"])).toEqual({ ok: true, value: "2026-03-14T09:22:00.000Z" });
    expect(readDate("1773480120", ["epoch-s"])).toEqual({ ok: true, value: "2026-03-14T09:22:00.000Z" });
    expect(readDate(null, ["iso-date"])).toEqual({ ok: true, value: null });
    expect(readDate("  ", ["iso-date"])).toEqual({ ok: true, value: null });
  });

  it("where day and month may be swapped, gives every valid reading of a slashed date instead of choosing one", () => {
    const formats = ["iso-datetime", "dd/mm/yyyy"] as const;
    const swappable = { swappable: true };
    expect(readDate("03/04/2026", formats, swappable)).toEqual({
      ok: false,
      raw: "03/04/2026",
      readings: [
        { format: "dd/mm/yyyy", value: "2026-04-03" },
        { format: "mm/dd/yyyy", value: "2026-03-04" },
      ],
    });
    expect(readDate("03/13/2026", formats, swappable)).toEqual({ ok: false, raw: "03/13/2026", readings: [{ format: "mm/dd/yyyy", value: "2026-03-13" }] });
    expect(readDate("3/4/2026", ["mm/dd/yyyy"], swappable)).toEqual({
      ok: false,
      raw: "3/4/2026",
      readings: [
        { format: "mm/dd/yyyy", value: "2026-03-04" },
        { format: "dd/mm/yyyy", value: "2026-04-03" },
      ],
    });
    // The same date both ways, or only one way: read.
    expect(readDate("05/05/2026", formats, swappable)).toEqual({ ok: true, value: "2026-05-05" });
    expect(readDate("13/03/2026", formats, swappable)).toEqual({ ok: true, value: "2026-03-13" });
    expect(readDate("2026-03-04T10:00:00Z", formats, swappable)).toEqual({ ok: true, value: "2026-03-04T10:00:00.000Z" });
    // Neither way: unreadable, with no reading to offer.
    expect(readDate("13/25/2026", formats, swappable)).toEqual({ ok: false, raw: "13/25/2026" });
    expect(readDate("31/02/2026", formats, swappable)).toEqual({ ok: false, raw: "31/02/2026" });
    expect(readDate(null, formats, swappable)).toEqual({ ok: true, value: null });
    // Not declared swappable: today's strict reading.
    expect(readDate("03/04/2026", formats)).toEqual({ ok: true, value: "2026-04-03" });
    expect(readDate("03/13/2026", formats)).toEqual({ ok: false, raw: "03/13/2026" });
  });
});
