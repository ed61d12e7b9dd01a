import Database from "better-sqlite3";
import { and, asc, eq } from "drizzle-orm";
import { gatherJobs } from "../db/schema/gather";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../db/schema/audit";
import { LOCALES } from "../db/schema/enums";
import { recipientNotices, restrictions } from "../db/schema/rights";
import { seedRegister } from "../db/seed-register";
import { restrictionLifted, smsRestrictionLifted } from "../emails/restriction";
import { readGathered } from "../app/services/gather-store.server";
import { closeConnectors } from "../app/utils/connectors.server";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { corinneInPerson, drainGather, withDemoConnectors, gatherAll, controllersInstruct } from "./helpers/connectors";
import { signedIn } from "./helpers/staff";
import { ticketRow, verifiedTicket } from "./helpers/tickets";

let app: TestApp;
let surveyFile: string;
let recordingsIndex: string;

beforeAll(async () => {
  app = await startApp();
  ({ surveyFile } = await withDemoConnectors(app, { respondents: 30, recordings: 30, realAudio: 4, seed: 5 }));
  seedRegister(app.db(), new Date());
  recordingsIndex = path.join(app.dir, "recordings", "index.sqlite");
});
afterAll(async () => {
  await closeConnectors();
  await app?.stop();
});

/** Corinne's records as the gather found them, per connector (dataset:key; the recordings index's ids alone). */
function matchedKeys(reference: string, connectorId: string) {
  return readGathered(app.db(), ticketRow(reference).id)
    .matches.filter((m) => m.connectorId === connectorId)
    .map((m) => (connectorId === "recordings" ? m.key : `${m.dataset}:${m.key}`))
    .sort();
}

/** What the survey database itself says is restricted (its rightsdesk_restrictions side table). */
function restrictedInSurvey(): string[] {
  const db = new Database(surveyFile, { readonly: true, fileMustExist: true });
  try {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rightsdesk_restrictions'").get();
    if (!exists) return [];
    return (db.prepare("SELECT dataset, key FROM rightsdesk_restrictions").all() as { dataset: string; key: string }[]).map((r) => `${r.dataset}:${r.key}`).sort();
  } finally {
    db.close();
  }
}

/** What the recordings index says is restricted. */
function restrictedRecordings(): string[] {
  const db = new Database(recordingsIndex, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT id FROM recordings WHERE restricted = 1").all() as { id: string }[]).map((r) => r.id).sort();
  } finally {
    db.close();
  }
}

function rowsOf(reference: string) {
  return Object.fromEntries(
    app
      .db()
      .select()
      .from(restrictions)
      .where(eq(restrictions.requestId, ticketRow(reference).id))
      .orderBy(asc(restrictions.id))
      .all()
      .map((r) => [r.connectorId, r]),
  );
}

async function gathered(rights: string[]) {
  const t = await corinneInPerson(app, rights);
  await gatherAll(app, t.browser, t.reference);
  await controllersInstruct(app, t.browser, t.reference);
  return t;
}

/** Connectors queued to be searched again, in queue order. */
function jobsQueued(reference: string) {
  return app.db().select().from(gatherJobs).where(and(eq(gatherJobs.requestId, ticketRow(reference).id), eq(gatherJobs.status, "queued"))).orderBy(asc(gatherJobs.id)).all().map((j) => j.connectorId);
}

describe("restriction of processing (Art. 18)", () => {
  it("marks the person's records in the survey database and the recordings index, shows where, and flags the CRM as not supported", async () => {
    const { reference, browser } = await gathered(["restriction"]);
    const surveyKeys = matchedKeys(reference, "survey");
    const recordingKeys = matchedKeys(reference, "recordings");
    expect(surveyKeys.length).toBeGreaterThan(1);
    expect(recordingKeys.length).toBeGreaterThan(0);
    expect(restrictedInSurvey()).toEqual([]);

    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-apply" })).status).toBe(302);

    // The systems themselves now say so, for exactly Corinne's records.
    expect(restrictedInSurvey()).toEqual(surveyKeys);
    expect(restrictedRecordings()).toEqual(recordingKeys);

    const rows = rowsOf(reference);
    expect(rows.survey).toMatchObject({ records: surveyKeys.length, error: null, liftedAt: null });
    expect(rows.recordings).toMatchObject({ records: recordingKeys.length, error: null, liftedAt: null });
    expect(rows.crm!.error).toBe("not supported by this system");

    // Art. 19: the survey client is told of the restriction of the survey data (the CRM's client is not: nothing restricted there).
    const notices = app.db().select().from(recipientNotices).where(eq(recipientNotices.requestId, ticketRow(reference).id)).all();
    expect(notices.map((n) => [n.kind, n.recipient])).toEqual([["restriction", "Osiris"]]);

    const html = await (await browser.get(`/admin/demandes/${reference}`)).text();
    expect(html).toMatch(/data-restriction-connector="survey" data-restriction-state="applied"/);
    expect(html).toMatch(/data-restriction-connector="recordings" data-restriction-state="applied"/);
    expect(html).toMatch(/data-restriction-connector="crm" data-restriction-state="not_supported"/);
    const page = textOf(html);
    expect(page).toContain("Limitation du traitement (article 18)");
    expect(page).toContain("Non prise en charge par ce système");
    expect(page).toContain("Limitation du traitement appliquée");
    // Support cannot lift it and is told who can.
    expect(page).not.toContain("Lever la limitation");
    expect(page).toContain("Seul le DPO peut lever la limitation.");

    const entry = app.db().select().from(auditLog).where(eq(auditLog.reference, reference)).all().find((a) => a.action === "restriction.applied")!;
    expect(entry.details).toEqual({ applied: ["survey", "recordings"], notSupported: ["crm"], failed: [], records: surveyKeys.length + recordingKeys.length });

    // The marks changed what those systems hold: they are searched again (the worker's next pass).
    expect(jobsQueued(reference)).toEqual(["survey", "recordings"]);
    await drainGather(app);
    // Nothing left to apply: a second click is refused, not repeated.
    const again = await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-apply" });
    expect(again.status).toBe(409);
    expect(textOf(await again.text())).toContain("Rien à limiter");

    // Only the DPO lifts it; the requester is told first, by email, in her language.
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift" })).status).toBe(403);
    const dpo = await signedIn(app, "dpo");
    expect(textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text())).toContain("Lever la limitation");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift" })).status).toBe(302);

    expect(restrictedInSurvey()).toEqual([]);
    expect(restrictedRecordings()).toEqual([]);
    const lifted = rowsOf(reference);
    expect(lifted.survey!.liftedAt).toBeInstanceOf(Date);
    expect(lifted.recordings!.liftedAt).toBeInstanceOf(Date);
    expect(lifted.crm!.liftedAt).toBeInstanceOf(Date);
    expect(lifted.survey!.liftedBy).toBe(dpo.id);

    await app.deliver();
    const mail = app.sink!.received.find((m) => JSON.stringify(m.to).includes("desmarc.corinne@orange.fr") && m.subject?.includes(reference) && m.subject.includes("levée de la limitation"));
    expect(mail, "the Art. 18(3) notice").toBeDefined();
    expect(mail!.text).toContain("article 18.3 du RGPD");

    const after = await (await dpo.browser.get(`/admin/demandes/${reference}`)).text();
    expect(after).toMatch(/data-restriction-connector="survey" data-restriction-state="lifted"/);
    const timeline = textOf(after);
    // The notice comes before the lifting on the timeline.
    expect(timeline.indexOf("Demandeur informé de la levée de la limitation")).toBeGreaterThan(-1);
    expect(timeline.indexOf("Demandeur informé de la levée de la limitation")).toBeLessThan(timeline.indexOf("Limitation du traitement levée"));

    // Lifting twice: refused; no second notice.
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift" })).status).toBe(409);
  });

  it("keeps a system that is down with its reason, completes the others, and finishes on retry", async () => {
    const { reference, browser } = await gathered(["restriction"]);
    const surveyKeys = matchedKeys(reference, "survey");
    // Another process holds the survey database's write lock: the connector waits, then gives up.
    const lock = new Database(surveyFile);
    lock.exec("BEGIN EXCLUSIVE");
    try {
      expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-apply" })).status).toBe(302);
    } finally {
      lock.exec("ROLLBACK");
      lock.close();
    }
    let rows = rowsOf(reference);
    expect(rows.survey!.error).toMatch(/locked/i);
    expect(rows.survey!.error).not.toMatch(/@|\d{6,}/);
    expect(rows.recordings!.error).toBeNull();
    expect(restrictedInSurvey()).toEqual([]);
    expect(restrictedRecordings().length).toBe(matchedKeys(reference, "recordings").length);

    await drainGather(app);
    const html = await (await browser.get(`/admin/demandes/${reference}`)).text();
    expect(html).toMatch(/data-restriction-connector="survey" data-restriction-state="failed"/);
    expect(textOf(html)).toContain("Réessayer");

    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-retry", connectorId: "survey" })).status).toBe(302);
    await drainGather(app);
    rows = rowsOf(reference);
    expect(rows.survey!.error).toBeNull();
    expect(restrictedInSurvey()).toEqual(surveyKeys);
    // Still one row per connector: the retry completed the failed one.
    expect(app.db().select().from(restrictions).where(eq(restrictions.requestId, ticketRow(reference).id)).all()).toHaveLength(3);
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-retry", connectorId: "survey" })).status).toBe(409);

    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift" })).status).toBe(302);
    expect(restrictedInSurvey()).toEqual([]);
  });

  it("can be lifted after the request is closed: the gathered record pointers outlive retention while it is in force", async () => {
    const { reference, browser } = await gathered(["restriction"]);
    const id = ticketRow(reference).id;
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-apply" })).status).toBe(302);
    for (const intent of ["start", "ready", "complete"]) expect((await browser.post(`/admin/demandes/${reference}`, { intent })).status).toBe(302);
    const { purgeAfterRetention } = await import("../app/services/gather-store.server");
    const later = new Date(Date.now() + 91 * 86_400_000);
    purgeAfterRetention(app.db(), later);
    expect(readGathered(app.db(), id).matches.length).toBeGreaterThan(0);

    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift" })).status).toBe(302);
    expect(restrictedInSurvey()).toEqual([]);
    expect(restrictedRecordings()).toEqual([]);
    // Lifted: retention applies again.
    purgeAfterRetention(app.db(), later);
    expect(readGathered(app.db(), id).matches).toEqual([]);
  });

  it("is refused to an agent, before the gather, and on a request that did not ask for it", async () => {
    const { reference } = await corinneInPerson(app, ["restriction"]);
    const support = await signedIn(app, "support");
    const early = await support.browser.post(`/admin/demandes/${reference}`, { intent: "restriction-apply" });
    expect(early.status).toBe(409);
    expect(textOf(await early.text())).toContain("Lancez d'abord la collecte");
    await gatherAll(app, support.browser, reference);

    const agent = await signedIn(app, "agent", "tours");
    const page = textOf(await (await agent.browser.get(`/admin/demandes/${reference}`)).text());
    expect(page).toContain("Limitation du traitement (article 18)");
    expect(page).not.toContain("Appliquer la limitation");
    expect((await agent.browser.post(`/admin/demandes/${reference}`, { intent: "restriction-apply" })).status).toBe(403);
    expect(restrictedInSurvey()).toEqual([]);

    const access = verifiedTicket();
    const notAsked = await support.browser.post(`/admin/demandes/${access.reference}`, { intent: "restriction-apply" });
    expect(notAsked.status).toBe(409);
    expect(textOf(await notAsked.text())).toContain("Cette demande ne porte pas sur la limitation du traitement.");
    expect(textOf(await (await support.browser.get(`/admin/demandes/${access.reference}`)).text())).not.toContain("Limitation du traitement (article 18)");
  });
});

describe("the Art. 18(3) notice", () => {
  for (const locale of LOCALES) {
    it(`renders the same text as reviewed (${locale})`, () => {
      const m = restrictionLifted({ reference: "DSR-2026-000123" }, locale);
      expect({ subject: m.subject, text: m.text, sms: smsRestrictionLifted({ reference: "DSR-2026-000123" }, locale) }).toMatchSnapshot();
      expect(m.html).toContain(`<html lang="${locale}">`);
    });
  }
});
