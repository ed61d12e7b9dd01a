import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requests } from "../db/schema/requests";
import { seedRegister } from "../scripts/seed-register";
import { PRESENTATION as CRM_PRESENTATION } from "../app/connectors/crm-http";
import { PRESENTATION as RECORDINGS_PRESENTATION } from "../app/connectors/recordings";
import { loadConnectorsConfig, parseConnectorsConfig } from "../app/connectors/registry";
import { SOURCE_CHANNELS } from "../app/connectors/sql-survey/demo";
import { demoSurveyMapping } from "../app/connectors/sql-survey/demo-mapping";
import { buildArchive, type ArchiveKind, type Manifest } from "../app/services/archive.server";
import { closeConnectors, connectors } from "../app/utils/connectors.server";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { controllersInstruct, corinneInPerson, gatherAll, withDemoConnectors } from "./helpers/connectors";
import { parseCsv } from "./helpers/csv";
import { ticketRow } from "./helpers/tickets";
import { unzipEntries } from "./helpers/zip";

/**
 * The readable copy (issue 16, item 1): the archive opens on a short letter in
 * the request's language, which links to one readable page per dataset, with
 * the connectors' labels and values written for people; a spreadsheet file
 * per dataset opens in columns. Built through the real path: a gather over the
 * three demo connectors (CRM through msw), the archive service, the ZIP read
 * back with yauzl.
 */
let app: TestApp;
let demo: Awaited<ReturnType<typeof withDemoConnectors>>;
type Zip = Map<string, Buffer>;
const zips: Record<string, Zip> = {};
const HOSTILE = `=HYPERLINK("https://evil.example")<script>alert("x")</script> & "quotes"`;

async function corinneArchive(kind: ArchiveKind, locale: "fr" | "en", name: string): Promise<Zip> {
  const { reference, browser } = await corinneInPerson(app, ["access", "portability"]);
  if (locale === "en") await app.db().update(requests).set({ locale: "en" }).where(eq(requests.reference, reference));
  await gatherAll(app, browser, reference);
  await controllersInstruct(app, browser, reference);
  const out = path.join(app.dir, `${name}.zip`);
  await buildArchive({ db: app.db(), requestId: (await ticketRow(reference)).id, kind, out, now: new Date("2027-02-01T13:05:00Z"), registry: connectors() });
  const zip = await unzipEntries(out);
  // For a person (and the browser test) to look at: .cache/readable/<name>/
  if (process.env.KEEP_READABLE) {
    for (const [entry, bytes] of zip) {
      const file = path.join(process.cwd(), ".cache/readable", name, entry);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, bytes);
    }
  }
  return zip;
}

beforeAll(async () => {
  app = await startApp();
  demo = await withDemoConnectors(app);
  await seedRegister(app.db(), new Date());
  // A CRM value someone typed as markup: shown as text, never run.
  const contact = demo.crm.contacts.get("c-1")!;
  const before = contact.city;
  contact.city = HOSTILE;
  try {
    zips.fr = await corinneArchive("access", "fr", "access-fr");
  } finally {
    contact.city = before;
  }
  zips.en = await corinneArchive("access", "en", "access-en");
  zips.portability = await corinneArchive("portability", "fr", "portability-fr");
}, 120_000);
afterAll(async () => {
  await closeConnectors();
  await app?.stop();
});

const text = (zip: Zip, name: string) => {
  const b = zip.get(name);
  if (!b) throw new Error(`${name} is not in the archive (${[...zip.keys()].join(", ")})`);
  return b.toString("utf8");
};
const manifestOf = (zip: Zip) => JSON.parse(text(zip, "manifest.json")) as Manifest;
/** The HTML documents a person reads: the letter and the readable pages. */
const documents = (zip: Zip) => [...zip.keys()].filter((n) => n.endsWith(".html"));
const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
/** The table rows of a page, cell texts in order. */
const rowsOf = (html: string) => [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => textOf(c[1]!)));

/** Every field name a connector hands over for the demo: the survey mapping's columns and the fixed fields. */
const FIELD_NAMES = [
  ...Object.values(demoSurveyMapping.tables).flatMap((t) => Object.keys(t.columns)),
  ...Object.values(RECORDINGS_PRESENTATION).flatMap((d) => Object.keys(d.fields)),
  ...Object.values(CRM_PRESENTATION).flatMap((d) => Object.keys(d.fields)),
];
const DATASET_NAMES = ["respondents", "answers", "recordings", "contacts", "interactions"];

/**
 * What would betray a raw copy: a field name as it is stored (source_channel, agentId), a code
 * (operator_entry), a boolean, an ISO date or instant, an E.164 number. Simple names that are also
 * words (city, question, phone) cannot be searched in running text: they must not be a heading.
 */
function rawLeftIn(html: string): string[] {
  const visible = textOf(html);
  const found: string[] = [];
  for (const f of FIELD_NAMES) {
    const compound = /[_A-Z]/.test(f);
    if (compound && new RegExp(`\\b${f}\\b`).test(visible)) found.push(`field ${f}`);
  }
  const headings = [...html.matchAll(/<(th|caption|dt|h[1-3])[^>]*>([\s\S]*?)<\/\1>/g)].map((m) => textOf(m[2]!));
  for (const h of headings) if (FIELD_NAMES.includes(h) || DATASET_NAMES.includes(h)) found.push(`heading ${h}`);
  for (const code of SOURCE_CHANNELS) if (visible.includes(code)) found.push(`code ${code}`);
  for (const m of visible.match(/\b(true|false|null|undefined)\b/g) ?? []) found.push(`value ${m}`);
  for (const m of visible.match(/\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}[^\s]*)?/g) ?? []) found.push(`date ${m}`);
  for (const m of visible.match(/\+\d{9,}/g) ?? []) found.push(`phone ${m}`);
  // ("interactions" is a French word too: the register uses it.)
  if (visible.includes("respondents")) found.push("dataset respondents");
  return found;
}

describe("the access letter", () => {
  it("is short, in the request's language, says what is inside with counts and links every readable page, which are in the archive", () => {
    const zip = zips.fr!;
    const html = text(zip, "LISEZ-MOI.html");
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="fr">/);
    const letter = textOf(html);
    expect(letter).toContain("Ce que contient cette archive");
    expect(letter).toMatch(/Vos réponses aux questionnaires\s+4 réponses — source : Études de marché/);
    expect(letter).toMatch(/Votre participation aux études de marché\s+1 participation/);
    expect(letter).toMatch(/Enregistrements de vos appels\s+\d+ enregistrements/);
    expect(letter).toMatch(/Vos échanges avec le service client\s+2 échanges/);
    expect(letter).toContain("Comment ouvrir ces fichiers");
    expect(letter).toContain("séparateur point-virgule");
    expect(letter).toContain("Archive établie le 1er février 2027");
    // Art. 15: kept in the letter, or one link away.
    for (const s of ["Où nous avons cherché", "Vos droits — art. 15(1)(e)", "www.cnil.fr/fr/plaintes", "Aucune décision fondée exclusivement sur un traitement automatisé", "Enregistrement d'un appel téléphonique (OP-01)"]) expect(letter).toContain(s);
    // The other language in one paragraph, not a second letter.
    expect(html.match(/<section lang="en"/g)).toHaveLength(1);
    expect(letter).toContain("If you need them in English, write to our data protection officer at dpo@centrecall.example");
    expect(letter).not.toContain("No decision based solely on automated processing");
    // Short: what used to be two letters with the register in full is now well under half the words.
    const words = letter.split(/\s+/).length;
    console.log(`[readable] access letter: ${words} words, ${html.length} bytes`);
    expect(words).toBeLessThan(1100);

    const pages = hrefs(html).filter((h) => !h.startsWith("http"));
    const local = pages.map((h) => decodeURIComponent(h.split("#")[0]!));
    expect(local).toEqual(expect.arrayContaining(["lire/survey-answers.html", "lire/survey-respondents.html", "lire/recordings-recordings.html", "lire/crm-contacts.html", "lire/crm-interactions.html", "lire/traitements.html"]));
    for (const h of local) expect(zip.has(h), h).toBe(true);
  });

  it("gives the register's details for each processing on its own page: purpose, recipients, processors, transfers, retention, source", () => {
    const page = textOf(text(zips.fr!, "lire/traitements.html"));
    for (const s of ["Preuve de l'appel", "Réaliser les études de marché", "Tenir l'historique des contacts", "Recevoir, vérifier et traiter les demandes", "Finalité — art. 15(1)(a)", "Destinataires — art. 15(1)(c)", "Transferts hors de l'Union européenne — art. 15(2)", "Durée de conservation — art. 15(1)(d)", "Source des données — art. 15(1)(g)"])
      expect(page).toContain(s);
    expect(page).not.toContain("Desmarc");
    // Each operation the letter names is an anchor of that page.
    const letter = text(zips.fr!, "LISEZ-MOI.html");
    const anchors = hrefs(letter).filter((h) => h.startsWith("lire/traitements.html#")).map((h) => h.split("#")[1]!);
    expect(anchors.length).toBeGreaterThanOrEqual(4);
    for (const a of anchors) expect(text(zips.fr!, "lire/traitements.html")).toContain(`id="${a}"`);
  });
});

describe("the readable pages", () => {
  it("show each answer with its question and its date, in French words", () => {
    const html = text(zips.fr!, "lire/survey-answers.html");
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="fr">/);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('<th scope="col">Question posée</th>');
    const rows = rowsOf(html);
    const header = rows[0]!;
    // What she answered first; our record numbers last.
    expect(header).toEqual(["Question posée", "Votre réponse", "Date de la réponse", "Numéro de la réponse", "Numéro de participant"]);
    const facebook = rows.find((r) => r.includes("Facebook"))!;
    expect(facebook[header.indexOf("Question posée")]).toMatch(/\?|réseau/i);
    expect(facebook[header.indexOf("Date de la réponse")]).toBe("14 mars 2026");
    expect(html).toMatch(/<caption id="tableau-1">Vos réponses aux questionnaires \(4 réponses\)<\/caption>/);
  });

  it("write codes, dates in Paris time, phone numbers, yes/no and durations for people, and link each recording to its file", () => {
    const respondents = textOf(text(zips.fr!, "lire/survey-respondents.html"));
    expect(respondents).toContain("Vos réponses ont été recueillies Saisies par un enquêteur au téléphone");
    expect(respondents).toContain("Date de l'entretien 14 mars 2026 à 10:12"); // 09:12 UTC, Paris in winter
    expect(respondents).toContain("Téléphone 02 47 00 00 00");
    expect(respondents).toContain("Centre d'appels Tours");

    const recordingsHtml = text(zips.fr!, "lire/recordings-recordings.html");
    const recordings = textOf(recordingsHtml);
    expect(recordings).toMatch(/Accord donné pour l'enregistrement (Oui|Non)/);
    expect(recordings).toMatch(/Durée \d+ secondes?/);
    expect(recordings).toMatch(/Début de l'appel \d{1,2}(er)? \p{L}+ 2026 à \d\d:\d\d/u);
    expect(recordings).toContain("Étude Osiris — usages des réseaux sociaux (2026)");
    const audio = hrefs(recordingsHtml).filter((h) => h.startsWith("../recordings/"));
    expect(audio.length).toBeGreaterThanOrEqual(2);
    for (const h of audio) expect(zips.fr!.has(decodeURIComponent(h.slice(3))), h).toBe(true);

    const interactions = rowsOf(text(zips.fr!, "lire/crm-interactions.html"));
    expect(interactions[0]).toEqual(["Date", "Par", "Note du conseiller", "Identifiant du conseiller", "Numéro de l'échange", "Numéro de la fiche"]);
    expect(interactions[1]!.slice(0, 2)).toEqual(["17 mars 2026 à 10:12", "Téléphone"]);
    expect(interactions[2]!.slice(0, 2)).toEqual(["18 mars 2026 à 16:40", "Courriel"]);
    // What someone typed as markup is text on the page.
    const contacts = text(zips.fr!, "lire/crm-contacts.html");
    expect(contacts).toContain("=HYPERLINK(&quot;https://evil.example&quot;)&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;");
    expect(contacts).not.toContain("<script>");
  });

  it("show no raw field name, code, boolean, ISO date or E.164 number, in the letter or any page, in French and in English", () => {
    for (const [name, zip] of Object.entries(zips)) {
      const docs = documents(zip);
      expect(docs.length, name).toBeGreaterThanOrEqual(5);
      for (const doc of docs) expect(rawLeftIn(text(zip, doc)), `${name} ${doc}`).toEqual([]);
    }
  });

  it("are self-contained: no script, no remote resource, every local link leads to a file of the archive", () => {
    for (const [name, zip] of Object.entries(zips)) {
      for (const doc of documents(zip)) {
        const html = text(zip, doc);
        expect(html, doc).not.toMatch(/<script|<link|<img|src="http/i);
        for (const h of hrefs(html)) {
          if (/^https:\/\/www\.cnil\.fr\//.test(h)) continue;
          expect(h, `${name} ${doc}`).not.toMatch(/^[a-z]+:/);
          const target = path.posix.normalize(path.posix.join(path.posix.dirname(doc), decodeURIComponent(h.split("#")[0]!)));
          expect(zip.has(target), `${name} ${doc} → ${target}`).toBe(true);
        }
      }
    }
  });
});

describe("an English request", () => {
  it("gets its letter and pages in English, in English-named folders", () => {
    const zip = zips.en!;
    const html = text(zip, "LISEZ-MOI.html");
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    const letter = textOf(html);
    expect(letter).toContain("What this archive holds");
    expect(letter).toMatch(/Your survey answers\s+4 answers — source: Études de marché/);
    expect(letter).toContain("Archive prepared on 1 February 2027");
    expect(letter).toContain("No decision based solely on automated processing");
    expect(letter).not.toContain("Aucune décision fondée exclusivement");
    expect(html.match(/<section lang="fr"/g)).toHaveLength(1);

    const answers = rowsOf(text(zip, "read/survey-answers.html"));
    expect(answers[0]).toEqual(["Question asked", "Your answer", "Date answered", "Answer number", "Participant number"]);
    expect(answers.find((r) => r.includes("Facebook"))![2]).toBe("14 March 2026");
    const respondents = textOf(text(zip, "read/survey-respondents.html"));
    expect(respondents).toContain("How your answers were collected Entered by an interviewer on the phone");
    expect(respondents).toContain("Phone +33 2 47 00 00 00");
    expect(textOf(text(zip, "read/recordings-recordings.html"))).toMatch(/Agreed to the recording (Yes|No)/);
    expect(textOf(text(zip, "read/processing.html"))).toContain("Purpose — Art. 15(1)(a)");
    expect([...zip.keys()].some((n) => n.startsWith("lire/") || n.startsWith("tableur/"))).toBe(false);
    // The English spreadsheet is comma-separated, with English headings.
    const sheet = parseCsv(text(zip, "spreadsheet/survey-answers.csv").slice(1));
    expect(sheet[0]).toEqual(["Answer number", "Participant number", "Question asked", "Your answer", "Date answered"]);
  });
});

describe("the spreadsheet copy", () => {
  it("opens in columns in a French spreadsheet: semicolons, BOM, French headings, dates and words it reads", () => {
    const bytes = zips.fr!.get("tableur/survey-respondents.csv")!;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes.subarray(3).toString("utf8"), ";");
    expect(rows[0]).toEqual(["Numéro de participant", "Nom", "Prénom", "Adresse", "Code postal", "Ville", "Adresse électronique", "Téléphone", "Étude réalisée pour", "Centre d'appels", "Date de l'entretien", "Vos réponses ont été recueillies"]);
    for (const r of rows) expect(r).toHaveLength(rows[0]!.length);
    const cell = (name: string) => rows[1]![rows[0]!.indexOf(name)];
    expect(cell("Adresse")).toBe("2, place de l'Église"); // a comma inside a cell, not a column
    expect(cell("Date de l'entretien")).toBe("14/03/2026 10:12");
    expect(cell("Vos réponses ont été recueillies")).toBe("Saisies par un enquêteur au téléphone");
    expect(cell("Téléphone")).toBe("02 47 00 00 00");

    const answers = parseCsv(text(zips.fr!, "tableur/survey-answers.csv").slice(1), ";");
    expect(answers.slice(1).map((r) => r[4])).toEqual(Array(4).fill("14/03/2026"));
    const recordings = parseCsv(text(zips.fr!, "tableur/recordings-recordings.csv").slice(1), ";");
    const consent = recordings[0]!.indexOf("Accord donné pour l'enregistrement");
    expect(new Set(recordings.slice(1).map((r) => r[consent]))).toEqual(new Set(["Oui", "Non"]));
    // A value typed as a formula is shown, not run: behind an apostrophe, as in the other CSVs.
    const contacts = parseCsv(text(zips.fr!, "tableur/crm-contacts.csv").slice(1), ";");
    expect(contacts[1]![contacts[0]!.indexOf("Ville")]).toBe(`'${HOSTILE}`);
    for (const name of [...zips.fr!.keys()].filter((n) => n.startsWith("tableur/")))
      for (const row of parseCsv(text(zips.fr!, name).slice(1), ";")) for (const value of row) expect(value, name).not.toMatch(/^[=+\-@\t\r]/);
    // Every spreadsheet and every page is in the manifest, with size and SHA-256.
    const listed = new Set(manifestOf(zips.fr!).files.map((f) => f.path));
    for (const n of zips.fr!.keys()) if (n !== "manifest.json") expect(listed.has(n), n).toBe(true);
  });

  it("leaves the machine files as they were: field names and raw values", () => {
    const json = JSON.parse(text(zips.fr!, "data/survey/respondents.json")) as Record<string, unknown>[];
    expect(json[0]).toMatchObject({ source_channel: "operator_entry", created_at: "2026-03-14T09:12:00.000Z", phone: "+33247000000" });
    expect(parseCsv(text(zips.fr!, "data/survey/answers.csv").slice(1))[0]).toEqual(["id", "respondent_id", "question", "answer", "answered_at"]);
  });
});

describe("the portability archive", () => {
  it("has the same readable pages over what it holds, and its letter keeps what it does and does not hold", () => {
    const zip = zips.portability!;
    const answers = rowsOf(text(zip, "lire/survey-answers.html"));
    expect(answers[0]).toEqual(["Question posée", "Votre réponse", "Date de la réponse"]);
    expect(textOf(text(zip, "lire/crm-interactions.html"))).not.toContain("Note du conseiller");
    expect(zip.has("lire/traitements.html")).toBe(false);
    const letter = textOf(text(zip, "LISEZ-MOI.html"));
    for (const s of ["article 20", "WP242", "la question posée et la date de la réponse", "les résumés et notes de nos conseillers", "article 20, paragraphe 4", "Vos échanges avec le service client"]) expect(letter).toContain(s);
    expect(letter).not.toContain("Preuve de l'appel");
    for (const h of hrefs(text(zip, "LISEZ-MOI.html")).filter((x) => x.startsWith("lire/"))) expect(zip.has(decodeURIComponent(h)), h).toBe(true);
  });
});

describe("labels in the connectors' configuration", () => {
  const survey = (columns: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    connectors: [
      {
        id: "survey",
        kind: "sql-survey",
        label: "Études",
        dialect: "sqlite",
        url: "file:/tmp/none.sqlite",
        hashKeyEnv: "K",
        mapping: { ...demoSurveyMapping, tables: { ...demoSurveyMapping.tables, answers: { ...demoSurveyMapping.tables.answers, columns: { ...demoSurveyMapping.tables.answers.columns, ...columns }, ...extra } } },
      },
    ],
  });
  const problems = (json: unknown) => {
    try {
      parseConnectorsConfig(json, () => "secret-value-for-tests");
      return [];
    } catch (error) {
      return (error as { problems: string[] }).problems;
    }
  };

  it("label every field and dataset of the demo's configuration, in both languages", () => {
    const registry = loadConnectorsConfig(path.join(import.meta.dirname, "../connectors.config.json"), () => "secret-value-for-tests", { dataDir: app.dir, demoCrmPort: "4000" });
    const unlabelled: string[] = [];
    for (const c of registry.list()) {
      for (const [dataset, p] of Object.entries(c.presentation ?? {})) {
        if (!p.title?.fr || !p.title.en || !p.unit) unlabelled.push(`${c.id}.${dataset} (title, unit)`);
        for (const [field, f] of Object.entries(p.fields)) if (!f.label?.fr || !f.label.en) unlabelled.push(`${c.id}.${dataset}.${field}`);
      }
    }
    expect(registry.list().map((c) => Object.keys(c.presentation ?? {}).length)).toEqual([2, 1, 2]);
    expect(unlabelled).toEqual([]);
  });

  it("are checked: both languages, known formats, known datasets", () => {
    expect(problems(survey({ answer: { providedBySubject: true, label: { fr: "Réponse" } } }))).toEqual(["connectors[0].mapping.tables.answers.columns.answer.label.en: required: the English text"]);
    expect(problems(survey({ answer: { providedBySubject: true, format: "money" } }))[0]).toMatch(/columns\.answer\.format: expected one of "text", "number", "date"/);
    expect(problems(survey({}, { unit: { fr: ["réponse"], en: ["answer", "answers"] } }))[0]).toMatch(/tables\.answers\.unit/);
    const recordings = (presentation: unknown) => ({ connectors: [{ id: "rec", kind: "recordings", label: "Enregistrements", root: "/tmp/r", index: "/tmp/r/i.sqlite", presentation }] });
    expect(problems(recordings({ calls: { title: { fr: "Appels", en: "Calls" } } }))).toEqual(['connectors[0]: presentation: no dataset "calls" (expected "recordings")']);
    expect(problems(recordings({ recordings: { fields: { site: { lable: { fr: "Site", en: "Site" } } } } }))[0]).toMatch(/unknown field "lable" in a field's presentation/);
    // A label set in the configuration replaces the connector's, and keeps its format.
    const registry = parseConnectorsConfig(recordings({ recordings: { fields: { durationSeconds: { label: { fr: "Longueur de l'appel", en: "Call length" } } } } }), () => undefined);
    expect(registry.get("rec")!.presentation!.recordings!.fields.durationSeconds).toEqual({ label: { fr: "Longueur de l'appel", en: "Call length" }, format: "duration" });
  });
});
