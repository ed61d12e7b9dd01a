import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import path from "node:path";
import mysql from "mysql2/promise";
import pg from "pg";
import { SITES, type Site } from "../../../db/schema/enums";
import { sqlitePath, type Dialect } from "./dialect";
import { prng } from "../demo-random";

/**
 * The demo market-research database: CentreCall's survey tables as ComPlus
 * fills them (Document 6: web form, PDF by email turned into CSV, mobile app
 * JSON, operator entry), with the people the demo tickets are about and N
 * generated respondents. Deterministic for a given seed.
 *
 * `answers.answered_at` is text in the format each channel wrote, which
 * reproduces ticket n° 1: the mobile app writes mm/dd/yyyy into a column the
 * mapping declares as dd/mm/yyyy, so 03/13/2026 does not parse (reported as
 * an anomaly) and 03/05/2026 silently reads as 3 May.
 *
 * Destructive: drops and recreates `respondents`, `answers` and the
 * connector's `rightsdesk_restrictions` in the target database.
 */
export type DemoSurveyTarget = { dialect: Dialect; url: string };
export type DemoSurveyOptions = { respondents?: number; seed?: number };
export type DemoSurveyResult = { respondents: number; answers: number; ms: number };

export const SOURCE_CHANNELS = ["web_form", "email_pdf_csv", "mobile_json", "operator_entry"] as const;
export type SourceChannel = (typeof SOURCE_CHANNELS)[number];

/** The named people, always ids 1–4, so tests and the demo tickets can point at them. */
export const DEMO_RESPONDENTS = {
  corinneDesmarc: { id: 1, lastName: "DESMARC", firstName: "CORINNE", postcode: "37100", email: "desmarc.corinne@orange.fr", phone: "+33247000000" },
  davidBlanc: { id: 2, lastName: "Blanc", firstName: "David", postcode: "75011", email: "David.Blanc@example.fr", phone: "+33612345678" },
  nadiaAzri: { id: 3, lastName: "AZRI", firstName: "Nadia", postcode: "59000", email: "nadia.azri@example.com", phone: "+33781223344" },
  /** same household as Corinne: the name+postcode key must tell them apart by first name */
  julienDesmarc: { id: 4, lastName: "DESMARC", firstName: "JULIEN", postcode: "37100", email: "julien.desmarc@example.net", phone: null },
} as const;

type Respondent = {
  id: number;
  lastName: string;
  firstName: string;
  address: string;
  postcode: string;
  city: string;
  email: string;
  phone: string | null;
  surveyClient: string;
  site: Site;
  createdAt: string;
  channel: SourceChannel;
};
type Answer = { id: number; respondentId: number; question: string; answer: string; answeredAt: string };

const OSIRIS = [
  { q: "Possédez-vous un smartphone ?", a: ["OUI", "NON"] },
  { q: "Quels réseaux sociaux avez-vous l'habitude de fréquenter ?", a: ["Facebook", "Instagram", "TikTok", "LinkedIn", "X", "Snapchat"] },
  { q: "À quelle fréquence utilisez-vous ce réseau ?", a: ["Plusieurs fois par jour", "Une fois par semaine", "Plus rarement"] },
  {
    q: "Pour vous, la publicité sur les réseaux sociaux :",
    a: ["est intrusive", "vous aide à saisir des opportunités intéressantes", "vous laisse indifférent(e)"],
  },
];
const SURVEYS: { client: string; questions: { q: string; a: string[] }[] }[] = [
  { client: "Osiris", questions: OSIRIS },
  {
    client: "Lumen Énergie",
    questions: [
      { q: "Avez-vous changé de fournisseur d'électricité cette année ?", a: ["OUI", "NON"] },
      { q: "Quel est le montant moyen de votre facture mensuelle ?", a: ["moins de 50 €", "de 50 à 100 €", "plus de 100 €"] },
      { q: "Seriez-vous intéressé(e) par des panneaux solaires ?", a: ["OUI", "NON", "Ne sait pas"] },
    ],
  },
  {
    client: "Verdi Mobilité",
    questions: [
      { q: "Quel moyen de transport utilisez-vous le plus ?", a: ["Voiture", "Transports en commun", "Vélo", "Marche"] },
      { q: "Combien de kilomètres parcourez-vous par jour ?", a: ["moins de 10", "de 10 à 30", "plus de 30"] },
    ],
  },
];

const PLACES: Record<Site, { city: string; postcodes: string[] }> = {
  lille: { city: "Lille", postcodes: ["59000", "59800", "59160", "59260"] },
  paris: { city: "Paris", postcodes: ["75011", "75015", "75018", "75020"] },
  tours: { city: "Tours", postcodes: ["37000", "37100", "37200"] },
  bordeaux: { city: "Bordeaux", postcodes: ["33000", "33100", "33200", "33800"] },
  toulouse: { city: "Toulouse", postcodes: ["31000", "31200", "31300", "31400", "31500"] },
};

// Neither Desmarc, Blanc nor Azri: the named people must stay the only ones.
const LAST_NAMES = [
  "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent", "Simon", "Michel",
  "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine",
  "Rousseau", "Vincent", "Muller", "Faure", "André", "Mercier", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand",
  "Gauthier", "Garcia", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson",
  "Benali", "Nguyen", "Da Silva", "Le Gall", "Kowalski", "Haddad",
];
const FIRST_NAMES = [
  "Marie", "Jean", "Camille", "Nicolas", "Léa", "Thomas", "Chloé", "Lucas", "Manon", "Hugo", "Emma", "Louis", "Inès", "Gabriel",
  "Sarah", "Arthur", "Julie", "Paul", "Zoé", "Mathis", "Anaïs", "Théo", "Clara", "Yanis", "Élodie", "Karim", "Sophie", "Antoine",
  "Nathalie", "Philippe", "Isabelle", "Christophe", "Sylvie", "Laurent", "Aurélie", "Mehdi", "Céline", "Stéphane", "Fatima", "Olivier",
];
const STREETS = [
  "rue Nationale", "avenue de la République", "rue Victor-Hugo", "boulevard Gambetta", "rue de la Paix", "place du Marché",
  "rue Jean-Jaurès", "allée des Tilleuls", "rue des Écoles", "avenue Foch", "rue du Commerce", "quai de la Loire",
];
const DOMAINS = ["example.fr", "example.com", "example.net", "example.org"];
/** web form 40 %, PDF→CSV 20 %, mobile JSON 25 %, operator entry 15 % */
const CHANNEL_WEIGHTS: [SourceChannel, number][] = [
  ["web_form", 0.4],
  ["email_pdf_csv", 0.6],
  ["mobile_json", 0.85],
  ["operator_entry", 1],
];


const pad = (n: number) => String(n).padStart(2, "0");

/** The text each ComPlus channel writes for an instant. */
export function answeredAtText(channel: SourceChannel, at: Date): string {
  const [y, m, d] = [at.getUTCFullYear(), pad(at.getUTCMonth() + 1), pad(at.getUTCDate())];
  switch (channel) {
    case "web_form":
      return at.toISOString();
    case "email_pdf_csv":
      return `${y}-${m}-${d} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`;
    case "mobile_json":
      return `${m}/${d}/${y}`; // the bug: month first
    case "operator_entry":
      return `${d}/${m}/${y}`;
  }
}

function slug(s: string) {
  return s
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

const capitalise = (s: string) => s.replace(/(^|-)([a-z])/g, (_, sep: string, c: string) => sep + c.toUpperCase());

const NAMED: { r: Respondent; answers: { q: string; a: string; at: string }[] }[] = [
  {
    r: {
      id: 1, lastName: "DESMARC", firstName: "CORINNE", address: "2, place de l'Église", postcode: "37100", city: "Tours",
      email: "desmarc.corinne@orange.fr", phone: "+33247000000", surveyClient: "Osiris", site: "tours",
      createdAt: "2026-03-14T09:12:00.000Z", channel: "operator_entry",
    },
    // Document 1, as the Tours operator typed it in.
    answers: [
      { q: OSIRIS[0]!.q, a: "OUI", at: "14/03/2026" },
      { q: OSIRIS[1]!.q, a: "Facebook", at: "14/03/2026" },
      { q: OSIRIS[2]!.q, a: "Plusieurs fois par jour", at: "14/03/2026" },
      { q: OSIRIS[3]!.q, a: "est intrusive", at: "14/03/2026" },
    ],
  },
  {
    r: {
      id: 2, lastName: "Blanc", firstName: "David", address: "18, rue de la Roquette", postcode: "75011", city: "Paris",
      email: "David.Blanc@example.fr", phone: "+33612345678", surveyClient: "Osiris", site: "paris",
      createdAt: "2026-03-04T17:40:00.000Z", channel: "mobile_json",
    },
    // From the mobile app: 13 March cannot be read day-first; 5 March reads as 3 May.
    answers: [
      { q: OSIRIS[0]!.q, a: "OUI", at: "03/05/2026" },
      { q: OSIRIS[1]!.q, a: "Instagram", at: "03/13/2026" },
      { q: OSIRIS[2]!.q, a: "Une fois par semaine", at: "03/13/2026" },
    ],
  },
  {
    r: {
      id: 3, lastName: "AZRI", firstName: "Nadia", address: "5, rue des Arts", postcode: "59000", city: "Lille",
      email: "nadia.azri@example.com", phone: "+33781223344", surveyClient: "Lumen Énergie", site: "lille",
      createdAt: "2026-02-20T10:05:00.000Z", channel: "web_form",
    },
    answers: [
      { q: SURVEYS[1]!.questions[0]!.q, a: "NON", at: "2026-02-20T10:07:31.000Z" },
      { q: SURVEYS[1]!.questions[1]!.q, a: "de 50 à 100 €", at: "2026-02-20T10:08:02.000Z" },
      { q: SURVEYS[1]!.questions[2]!.q, a: "OUI", at: "2026-02-20T10:08:40.000Z" },
    ],
  },
  {
    r: {
      id: 4, lastName: "DESMARC", firstName: "JULIEN", address: "2, place de l'Église", postcode: "37100", city: "Tours",
      email: "julien.desmarc@example.net", phone: null, surveyClient: "Osiris", site: "tours",
      createdAt: "2026-03-14T09:30:00.000Z", channel: "operator_entry",
    },
    answers: [
      { q: OSIRIS[0]!.q, a: "OUI", at: "14/03/2026" },
      { q: OSIRIS[1]!.q, a: "TikTok", at: "14/03/2026" },
    ],
  },
];

/** Respondents with their answers, in id order: the named people, then `count` generated ones. */
export function* demoSurveyRows(count: number, seed: number): Generator<{ r: Respondent; answers: Answer[] }> {
  let answerId = 0;
  for (const { r, answers } of NAMED) {
    yield { r, answers: answers.map((a) => ({ id: ++answerId, respondentId: r.id, question: a.q, answer: a.a, answeredAt: a.at })) };
  }
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const start = Date.UTC(2025, 9, 1);
  const span = Date.UTC(2026, 2, 31) - start;
  for (let i = 0; i < count; i++) {
    const id = NAMED.length + 1 + i;
    const site = pick(SITES);
    const place = PLACES[site];
    const lastName = pick(LAST_NAMES);
    const firstName = pick(FIRST_NAMES);
    const roll = rand();
    const channel = CHANNEL_WEIGHTS.find(([, upTo]) => roll < upTo)![0];
    const survey = pick(SURVEYS);
    const created = new Date(start + Math.floor(rand() * span / 1000) * 1000);
    const typed = channel === "operator_entry";
    // Typed by an operator, an address keeps the capitals it was dictated with.
    const local = typed ? `${capitalise(slug(firstName))}.${capitalise(slug(lastName))}` : `${slug(firstName)}.${slug(lastName)}`;
    const r: Respondent = {
      id,
      // Operators type names in capitals, as on the paper questionnaire.
      lastName: typed ? lastName.toUpperCase() : lastName,
      firstName: typed ? firstName.toUpperCase() : firstName,
      address: `${1 + Math.floor(rand() * 120)}, ${pick(STREETS)}`,
      postcode: pick(place.postcodes),
      city: place.city,
      email: `${local}.${id}@${pick(DOMAINS)}`,
      // +336 9xxxxxxx: never one of the named people's numbers.
      phone: rand() < 0.85 ? `+336${90_000_000 + (id % 10_000_000)}` : null,
      surveyClient: survey.client,
      site,
      createdAt: created.toISOString(),
      channel,
    };
    const answers: Answer[] = [];
    let at = created.getTime();
    for (const question of survey.questions) {
      if (answers.length > 0 && rand() < 0.15) continue;
      at += Math.floor(rand() * 90_000);
      answers.push({ id: ++answerId, respondentId: id, question: question.q, answer: pick(question.a), answeredAt: answeredAtText(channel, new Date(at)) });
    }
    yield { r, answers };
  }
}

const RESPONDENT_COLUMNS = ["id", "last_name", "first_name", "address", "postcode", "city", "email", "phone", "survey_client", "site", "created_at", "source_channel"];
const ANSWER_COLUMNS = ["id", "respondent_id", "question", "answer", "answered_at"];

function respondentValues(r: Respondent, createdAt: string) {
  return [r.id, r.lastName, r.firstName, r.address, r.postcode, r.city, r.email, r.phone, r.surveyClient, r.site, createdAt, r.channel];
}
function answerValues(a: Answer) {
  return [a.id, a.respondentId, a.question, a.answer, a.answeredAt];
}

const BATCH = 1000;

export async function createDemoSurveyDatabase(target: DemoSurveyTarget, opts: DemoSurveyOptions = {}): Promise<DemoSurveyResult> {
  const count = Math.max(0, Math.floor(opts.respondents ?? 200));
  const seed = opts.seed ?? 1991;
  const started = performance.now();
  const rows = demoSurveyRows(count, seed);
  const totals =
    target.dialect === "sqlite"
      ? loadSqlite(target.url, rows)
      : target.dialect === "postgres"
        ? await loadPostgres(target.url, rows)
        : await loadMariadb(target.url, rows);
  return { ...totals, ms: Math.round(performance.now() - started) };
}

type Rows = ReturnType<typeof demoSurveyRows>;

function loadSqlite(url: string, rows: Rows) {
  const file = sqlitePath(url);
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.exec(`
      DROP TABLE IF EXISTS answers;
      DROP TABLE IF EXISTS respondents;
      DROP TABLE IF EXISTS rightsdesk_restrictions;
      CREATE TABLE respondents (
        id INTEGER PRIMARY KEY,
        last_name TEXT, first_name TEXT, address TEXT, postcode TEXT, city TEXT,
        email TEXT, phone TEXT,
        survey_client TEXT NOT NULL, site TEXT NOT NULL,
        created_at TEXT NOT NULL,
        source_channel TEXT NOT NULL
      );
      CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        respondent_id INTEGER NOT NULL REFERENCES respondents(id),
        question TEXT NOT NULL,
        answer TEXT,
        answered_at TEXT
      );
    `);
    const insertRespondent = db.prepare(`INSERT INTO respondents (${RESPONDENT_COLUMNS.join(", ")}) VALUES (${RESPONDENT_COLUMNS.map(() => "?").join(", ")})`);
    const insertAnswer = db.prepare(`INSERT INTO answers (${ANSWER_COLUMNS.join(", ")}) VALUES (${ANSWER_COLUMNS.map(() => "?").join(", ")})`);
    const totals = { respondents: 0, answers: 0 };
    db.transaction(() => {
      for (const { r, answers } of rows) {
        insertRespondent.run(...respondentValues(r, r.createdAt));
        totals.respondents++;
        for (const a of answers) insertAnswer.run(...answerValues(a));
        totals.answers += answers.length;
      }
    })();
    // Indexes after the load: faster than maintaining them row by row.
    db.exec(`
      CREATE INDEX respondents_email ON respondents (lower(email));
      CREATE INDEX respondents_phone ON respondents (phone);
      CREATE INDEX respondents_name_postcode ON respondents (last_name, postcode);
      CREATE INDEX answers_respondent ON answers (respondent_id);
      ANALYZE;
    `);
    return totals;
  } finally {
    db.close();
  }
}

/** Multi-row INSERT statements of up to BATCH rows, numbered placeholders. */
function pgInsert(table: string, columns: string[], batch: unknown[][]) {
  let n = 0;
  const values = batch.map((row) => `(${row.map(() => `$${++n}`).join(", ")})`).join(", ");
  return { text: `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values}`, values: batch.flat() };
}

async function loadPostgres(url: string, rows: Rows) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("DROP TABLE IF EXISTS answers, respondents, rightsdesk_restrictions");
    await client.query(`
      CREATE TABLE respondents (
        id INTEGER PRIMARY KEY,
        last_name VARCHAR(100), first_name VARCHAR(100), address VARCHAR(255), postcode VARCHAR(10), city VARCHAR(100),
        email VARCHAR(255), phone VARCHAR(20),
        survey_client VARCHAR(100) NOT NULL, site VARCHAR(20) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        source_channel VARCHAR(20) NOT NULL
      )`);
    await client.query(`
      CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        respondent_id INTEGER NOT NULL REFERENCES respondents(id),
        question VARCHAR(255) NOT NULL,
        answer TEXT,
        answered_at VARCHAR(40)
      )`);
    const totals = { respondents: 0, answers: 0 };
    await client.query("BEGIN");
    try {
      for (const [rBatch, aBatch] of batches(rows)) {
        await client.query(pgInsert("respondents", RESPONDENT_COLUMNS, rBatch.map((r) => respondentValues(r, r.createdAt))));
        for (let i = 0; i < aBatch.length; i += BATCH * 2) await client.query(pgInsert("answers", ANSWER_COLUMNS, aBatch.slice(i, i + BATCH * 2).map(answerValues)));
        totals.respondents += rBatch.length;
        totals.answers += aBatch.length;
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    }
    await client.query("CREATE INDEX respondents_email ON respondents (lower(email))");
    await client.query("CREATE INDEX respondents_phone ON respondents (phone)");
    await client.query("CREATE INDEX respondents_name_postcode ON respondents (last_name, postcode)");
    await client.query("CREATE INDEX answers_respondent ON answers (respondent_id)");
    await client.query("ANALYZE respondents, answers");
    return totals;
  } finally {
    await client.end();
  }
}

/** MariaDB DATETIME has no zone: the instant is written in UTC. */
function mariadbDateTime(iso: string) {
  return iso.replace("T", " ").replace(/(\.\d+)?Z$/, "");
}

async function loadMariadb(url: string, rows: Rows) {
  const conn = await mysql.createConnection({ uri: url.replace(/^mariadb:/, "mysql:"), charset: "utf8mb4", dateStrings: true });
  try {
    await conn.query("DROP TABLE IF EXISTS answers, respondents, rightsdesk_restrictions");
    // *_ci collation: email equality is case-insensitive and can use the plain index.
    await conn.query(`
      CREATE TABLE respondents (
        id INT PRIMARY KEY,
        last_name VARCHAR(100), first_name VARCHAR(100), address VARCHAR(255), postcode VARCHAR(10), city VARCHAR(100),
        email VARCHAR(255), phone VARCHAR(20),
        survey_client VARCHAR(100) NOT NULL, site VARCHAR(20) NOT NULL,
        created_at DATETIME NOT NULL,
        source_channel VARCHAR(20) NOT NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await conn.query(`
      CREATE TABLE answers (
        id INT PRIMARY KEY,
        respondent_id INT NOT NULL,
        question VARCHAR(255) NOT NULL,
        answer TEXT,
        answered_at VARCHAR(40),
        KEY answers_respondent (respondent_id),
        CONSTRAINT answers_respondent_fk FOREIGN KEY (respondent_id) REFERENCES respondents (id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    const totals = { respondents: 0, answers: 0 };
    await conn.beginTransaction();
    try {
      for (const [rBatch, aBatch] of batches(rows)) {
        const rValues = rBatch.map((r) => respondentValues(r, mariadbDateTime(r.createdAt)));
        await conn.query(`INSERT INTO respondents (${RESPONDENT_COLUMNS.join(", ")}) VALUES ${rValues.map((v) => `(${v.map(() => "?").join(", ")})`).join(", ")}`, rValues.flat());
        for (let i = 0; i < aBatch.length; i += BATCH * 2) {
          const aValues = aBatch.slice(i, i + BATCH * 2).map(answerValues);
          await conn.query(`INSERT INTO answers (${ANSWER_COLUMNS.join(", ")}) VALUES ${aValues.map((v) => `(${v.map(() => "?").join(", ")})`).join(", ")}`, aValues.flat());
        }
        totals.respondents += rBatch.length;
        totals.answers += aBatch.length;
      }
      await conn.commit();
    } catch (error) {
      await conn.rollback();
      throw error;
    }
    await conn.query("CREATE INDEX respondents_email ON respondents (email)");
    await conn.query("CREATE INDEX respondents_phone ON respondents (phone)");
    await conn.query("CREATE INDEX respondents_name_postcode ON respondents (last_name, postcode)");
    await conn.query("ANALYZE TABLE respondents, answers");
    return totals;
  } finally {
    await conn.end();
  }
}

function* batches(rows: Rows): Generator<[Respondent[], Answer[]]> {
  let rBatch: Respondent[] = [];
  let aBatch: Answer[] = [];
  for (const { r, answers } of rows) {
    rBatch.push(r);
    aBatch.push(...answers);
    if (rBatch.length >= BATCH) {
      yield [rBatch, aBatch];
      rBatch = [];
      aBatch = [];
    }
  }
  if (rBatch.length) yield [rBatch, aBatch];
}
