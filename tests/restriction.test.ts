import Database from "better-sqlite3";
import { and, asc, desc, eq } from "drizzle-orm";
import { gatherJobs } from "../db/schema/gather";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../db/schema/audit";
import { LOCALES } from "../db/schema/enums";
import { outbox } from "../db/schema/outbox";
import { recipientNotices, restrictionLifts, restrictions } from "../db/schema/rights";
import { seedRegister } from "../scripts/seed-register";
import { restrictionLiftDone, restrictionLiftNotice, restrictionLiftStopped, smsRestrictionLiftNotice } from "../emails/restriction";
import { formatInstant } from "../app/i18n";
import { readGathered } from "../app/services/gather-store.server";
import { runDueLifts } from "../app/services/restriction.server";
import { closeConnectors, connectors } from "../app/utils/connectors.server";
import { organisation } from "../app/utils/organisation.server";
import { mailTo } from "./helpers/smtp-sink";
import { letterFromSms, verifiedByEmail, verifiedBySms } from "./helpers/requester";
import { cli } from "./helpers/processes";
import { letters, requests } from "../db/schema/requests";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { corinneInPerson, drainGather, withDemoConnectors, gatherAll, controllersInstruct } from "./helpers/connectors";
import { signedIn } from "./helpers/staff";
import { ticketRow, verifiedTicket } from "./helpers/tickets";
import { withTx, first } from "../app/utils/db.server";

let app: TestApp;
let surveyFile: string;
let recordingsIndex: string;

beforeAll(async () => {
  app = await startApp();
  ({ surveyFile } = await withDemoConnectors(app, { respondents: 30, recordings: 30, realAudio: 4, seed: 5 }));
  await seedRegister(app.db(), new Date());
  recordingsIndex = path.join(app.dir, "recordings", "index.sqlite");
});
afterAll(async () => {
  await closeConnectors();
  await app?.stop();
});

/** Corinne's records as the gather found them, per connector (dataset:key; the recordings index's ids alone). */
async function matchedKeys(reference: string, connectorId: string) {
  return (await readGathered(app.db(), (await ticketRow(reference)).id))
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

async function rowsOf(reference: string) {
  return Object.fromEntries(
    (await app
      .db()
      .select()
      .from(restrictions)
      .where(eq(restrictions.requestId, (await ticketRow(reference)).id))
      .orderBy(asc(restrictions.id)))
      .map((r) => [r.connectorId, r]),
  );
}

/** A restriction applied earlier to a system the test does not look into (the state the lift starts from). */
async function restrictedEarlier(reference: string) {
  await withTx(app.db(), async (tx) => tx.insert(restrictions).values({ requestId: (await ticketRow(reference)).id, connectorId: "recordings", records: 0, appliedAt: new Date(Date.now() - 86_400_000) }));
}

async function liftOf(reference: string) {
  return (await first(app.db().select().from(restrictionLifts).where(eq(restrictionLifts.requestId, (await ticketRow(reference)).id)).orderBy(desc(restrictionLifts.id))))!;
}

/** The workers' pass once the announced lift's notice period is over. */
async function liftNow(reference: string) {
  const lift = await liftOf(reference);
  return runDueLifts({ db: app.db(), registry: connectors(), now: () => new Date(lift.dueAt.getTime() + 60_000) });
}

async function gathered(rights: string[]) {
  const t = await corinneInPerson(app, rights);
  await gatherAll(app, t.browser, t.reference);
  await controllersInstruct(app, t.browser, t.reference);
  return t;
}

/** Connectors queued to be searched again, in queue order. */
async function jobsQueued(reference: string) {
  return (await app.db().select().from(gatherJobs).where(and(eq(gatherJobs.requestId, (await ticketRow(reference)).id), eq(gatherJobs.status, "queued"))).orderBy(asc(gatherJobs.id))).map((j) => j.connectorId);
}

describe("restriction of processing (Art. 18)", () => {
  it("marks the person's records in the survey database and the recordings index, shows where, and flags the CRM as not supported", async () => {
    const { reference, browser } = await gathered(["restriction"]);
    const surveyKeys = await matchedKeys(reference, "survey");
    const recordingKeys = await matchedKeys(reference, "recordings");
    expect(surveyKeys.length).toBeGreaterThan(1);
    expect(recordingKeys.length).toBeGreaterThan(0);
    expect(restrictedInSurvey()).toEqual([]);

    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-apply" })).status).toBe(302);

    // The systems themselves now say so, for exactly Corinne's records.
    expect(restrictedInSurvey()).toEqual(surveyKeys);
    expect(restrictedRecordings()).toEqual(recordingKeys);

    const rows = await rowsOf(reference);
    expect(rows.survey).toMatchObject({ records: surveyKeys.length, error: null, liftedAt: null });
    expect(rows.recordings).toMatchObject({ records: recordingKeys.length, error: null, liftedAt: null });
    expect(rows.crm!.error).toBe("not supported by this system");

    // Art. 19: the survey client is told of the restriction of the survey data (the CRM's client is not: nothing restricted there).
    const notices = await app.db().select().from(recipientNotices).where(eq(recipientNotices.requestId, (await ticketRow(reference)).id));
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

    const entry = (await app.db().select().from(auditLog).where(eq(auditLog.reference, reference))).find((a) => a.action === "restriction.applied")!;
    expect(entry.details).toEqual({ applied: ["survey", "recordings"], notSupported: ["crm"], failed: [], records: surveyKeys.length + recordingKeys.length });

    // The marks changed what those systems hold: they are searched again (the worker's next pass).
    expect(await jobsQueued(reference)).toEqual(["survey", "recordings"]);
    await drainGather(app);
    // Nothing left to apply: a second click is refused, not repeated.
    const again = await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-apply" });
    expect(again.status).toBe(409);
    expect(textOf(await again.text())).toContain("Rien à limiter");

    // The CRM cannot mark records: support confirms having restricted them there by hand.
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-hand", connectorId: "crm", what: "applied" })).status).toBe(302);
    expect((await rowsOf(reference)).crm!.handConfirmedBy).not.toBeNull();
    const handPage = await (await browser.get(`/admin/demandes/${reference}`)).text();
    expect(handPage).toMatch(/data-restriction-connector="crm" data-restriction-state="by_hand" data-restriction-by-hand="yes"/);
    expect(textOf(handPage)).toMatch(/Limitée à la main, confirmé le .+ par /);

    // Only the DPO announces the lift; the requester is told first, in her language, with the date.
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift" })).status).toBe(403);
    const dpo = await signedIn(app, "dpo");
    expect(textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text())).toContain("Annoncer la levée de la limitation");
    const announcedAt = Date.now();
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift" })).status).toBe(302);
    const lift = await liftOf(reference);
    expect(lift.status).toBe("scheduled");
    // The default notice period: 7 days.
    expect(Math.abs(lift.dueAt.getTime() - (announcedAt + 7 * 86_400_000))).toBeLessThan(60_000);

    const notice = await mailTo(app, "desmarc.corinne@orange.fr", "levée prochaine de la limitation");
    expect(notice.text).toContain("article 18.3 du RGPD");
    expect(notice.text).toContain(`pas levée avant le ${formatInstant(lift.dueAt, "fr")} (7 jours après cet avis)`);
    expect(notice.text).toContain(organisation().dpo.email);
    // Told, but nothing unmarked: the systems still say restricted, every row is in force.
    expect(restrictedInSurvey()).toEqual(surveyKeys);
    expect(restrictedRecordings()).toEqual(recordingKeys);
    expect(Object.values(await rowsOf(reference)).every((r) => r.liftedAt === null)).toBe(true);
    expect(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text()).toMatch(/data-lift-status="scheduled"/);

    // The workers pass during the notice period: nothing happens.
    expect(await runDueLifts({ db: app.db(), registry: connectors(), now: () => new Date(lift.dueAt.getTime() - 60_000) })).toBe(0);
    expect(restrictedInSurvey()).toEqual(surveyKeys);
    // Announced twice: refused, no second notice. Hand lifting before the period ends: refused too.
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift" })).status).toBe(409);
    const early = await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-hand", connectorId: "crm", what: "lifted" });
    expect(early.status).toBe(409);
    expect(textOf(await early.text())).toContain("Le préavis n'est pas écoulé");

    // After the period: the workers lift it where RightsDesk marked it; the CRM waits for a person.
    expect(await runDueLifts({ db: app.db(), registry: connectors(), now: () => new Date(lift.dueAt.getTime() + 60_000) })).toBe(1);
    expect(restrictedInSurvey()).toEqual([]);
    expect(restrictedRecordings()).toEqual([]);
    let lifted = await rowsOf(reference);
    expect(lifted.survey!.liftedAt).toBeInstanceOf(Date);
    expect(lifted.survey!.liftedBy).toBeNull();
    expect(lifted.recordings!.liftedAt).toBeInstanceOf(Date);
    expect(lifted.crm!.liftedAt).toBeNull();
    await app.deliver();
    expect(app.sink!.received.some((m) => m.subject?.includes(reference) && m.subject.includes("limitation du traitement levée"))).toBe(false);

    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-hand", connectorId: "crm", what: "lifted" })).status).toBe(302);
    lifted = (await rowsOf(reference));
    // The same support member who confirmed the restriction by hand confirmed its lifting.
    expect(lifted.crm!.liftedBy).not.toBeNull();
    expect(lifted.crm!.liftedBy).toBe(lifted.crm!.handConfirmedBy);
    const done = await mailTo(app, "desmarc.corinne@orange.fr", "limitation du traitement levée");
    expect(done.text).toMatch(/Levée dans ces systèmes :\n• .+\n• /);
    expect(done.text).toMatch(/Levée à la main par notre équipe dans ces systèmes, qui ne savent pas marquer les données eux-mêmes :\n• /);
    // Art. 19: Osiris, told of the restriction, is told of its lifting.
    const art19Notices = await app.db().select().from(recipientNotices).where(eq(recipientNotices.requestId, (await ticketRow(reference)).id));
    expect(art19Notices.map((n) => n.recipient)).toEqual(["Osiris", "Osiris"]);
    const art19 = (await first(app.db().select().from(outbox).where(eq(outbox.id, art19Notices[1]!.outboxId!))))!;
    expect(art19.subject).toContain("Levée de la limitation du traitement (art. 19 RGPD)");

    const after = await (await dpo.browser.get(`/admin/demandes/${reference}`)).text();
    expect(after).toMatch(/data-restriction-connector="survey" data-restriction-state="lifted" data-restriction-by-hand="no"/);
    expect(after).toMatch(/data-restriction-connector="crm" data-restriction-state="lifted" data-restriction-by-hand="yes"/);
    const timeline = textOf(after);
    // Never shown as if RightsDesk had done the CRM: who confirmed each step by hand.
    expect(timeline).toMatch(/Limitée à la main, confirmé le .+ par .+Levée à la main, confirmé le .+ par /);
    expect(timeline).toMatch(/par RightsDesk, à la fin du préavis/);
    // The notice comes before the lifting on the timeline.
    expect(timeline.indexOf("Demandeur informé de la levée de la limitation")).toBeGreaterThan(-1);
    expect(timeline.indexOf("Demandeur informé de la levée de la limitation")).toBeLessThan(timeline.indexOf("Limitation du traitement levée"));

    // Lifting twice: refused; no second notice.
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift" })).status).toBe(409);
  });

  it("keeps a system that is down with its reason, completes the others, and finishes on retry", async () => {
    const { reference, browser } = await gathered(["restriction"]);
    const surveyKeys = await matchedKeys(reference, "survey");
    // Another process holds the survey database's write lock: the connector waits, then gives up.
    const lock = new Database(surveyFile);
    lock.exec("BEGIN EXCLUSIVE");
    try {
      expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-apply" })).status).toBe(302);
    } finally {
      lock.exec("ROLLBACK");
      lock.close();
    }
    let rows = await rowsOf(reference);
    expect(rows.survey!.error).toMatch(/locked/i);
    expect(rows.survey!.error).not.toMatch(/@|\d{6,}/);
    expect(rows.recordings!.error).toBeNull();
    expect(restrictedInSurvey()).toEqual([]);
    expect(restrictedRecordings().length).toBe((await matchedKeys(reference, "recordings")).length);

    await drainGather(app);
    const html = await (await browser.get(`/admin/demandes/${reference}`)).text();
    expect(html).toMatch(/data-restriction-connector="survey" data-restriction-state="failed"/);
    expect(textOf(html)).toContain("Réessayer");

    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-retry", connectorId: "survey" })).status).toBe(302);
    await drainGather(app);
    rows = (await rowsOf(reference));
    expect(rows.survey!.error).toBeNull();
    expect(restrictedInSurvey()).toEqual(surveyKeys);
    // Still one row per connector: the retry completed the failed one.
    expect(await app.db().select().from(restrictions).where(eq(restrictions.requestId, (await ticketRow(reference)).id))).toHaveLength(3);
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-retry", connectorId: "survey" })).status).toBe(409);

    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift" })).status).toBe(302);
    await liftNow(reference);
    expect(restrictedInSurvey()).toEqual([]);
  });

  it("can be lifted after the request is closed: the gathered record pointers outlive retention while it is in force", async () => {
    const { reference, browser } = await gathered(["restriction"]);
    const id = (await ticketRow(reference)).id;
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-apply" })).status).toBe(302);
    for (const intent of ["start", "ready", "complete"]) expect((await browser.post(`/admin/demandes/${reference}`, { intent, confirmed: "1" })).status).toBe(302);
    const { purgeAfterRetention } = await import("../app/services/gather-store.server");
    const later = new Date(Date.now() + 91 * 86_400_000);
    await purgeAfterRetention(app.db(), later);
    expect((await readGathered(app.db(), id)).matches.length).toBeGreaterThan(0);

    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift" })).status).toBe(302);
    await liftNow(reference);
    expect(restrictedInSurvey()).toEqual([]);
    expect(restrictedRecordings()).toEqual([]);
    // The CRM, restricted by hand, is still in force until someone confirms lifting it there: its pointers stay.
    await purgeAfterRetention(app.db(), later);
    expect((await readGathered(app.db(), id)).matches.length).toBeGreaterThan(0);
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-hand", connectorId: "crm", what: "lifted" })).status).toBe(302);
    // Lifted: retention applies again.
    await purgeAfterRetention(app.db(), later);
    expect((await readGathered(app.db(), id)).matches).toEqual([]);
  });

  it("stops during the notice period when the person objects: the records stay restricted, and she is told", async () => {
    const { reference, browser } = await gathered(["restriction"]);
    const surveyKeys = await matchedKeys(reference, "survey");
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-apply" })).status).toBe(302);
    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift" })).status).toBe(302);
    // She writes back to object; support records it and stops the lift.
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift-stop", reason: "objected" })).status).toBe(302);
    expect(await liftOf(reference)).toMatchObject({ status: "stopped", stopReason: "objected" });

    // Long after the date announced, the workers find nothing to lift.
    expect(await runDueLifts({ db: app.db(), registry: connectors(), now: () => new Date(Date.now() + 30 * 86_400_000) })).toBe(0);
    expect(restrictedInSurvey()).toEqual(surveyKeys);
    expect(Object.values(await rowsOf(reference)).every((r) => r.liftedAt === null)).toBe(true);
    const told = await mailTo(app, "desmarc.corinne@orange.fr", "la limitation reste en vigueur");
    expect(told.text).toContain("Nous avons enregistré votre opposition");
    const page = await (await dpo.browser.get(`/admin/demandes/${reference}`)).text();
    expect(page).toMatch(/data-lift-status="stopped"/);
    expect(textOf(page)).toContain("le demandeur s'y est opposé");
    // Stopping twice is refused; a new announcement is possible (and would notify again).
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift-stop", reason: "other" })).status).toBe(409);
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift-stop", reason: "because" })).status).toBe(400);
    // Leave nothing restricted for the next tests.
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift" })).status).toBe(302);
    await liftNow(reference);
    expect(restrictedInSurvey()).toEqual([]);
  });

  it("is lifted once when two processes sweep at the same time", async () => {
    const { reference, browser } = await gathered(["restriction"]);
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "restriction-apply" })).status).toBe(302);
    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift" })).status).toBe(302);
    // The notice period has ended.
    await withTx(app.db(), async (tx) => tx.update(restrictionLifts).set({ dueAt: new Date(Date.now() - 1000) }).where(eq(restrictionLifts.id, (await liftOf(reference)).id)));
    const runs = await Promise.all([cli(["expire"], { ...process.env }), cli(["expire"], { ...process.env })]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const counts = runs.map((r) => Number(/restriction lifts run (\d+)/.exec(r.stdout)?.[1]));
    expect(counts.sort()).toEqual([0, 1]);
    expect(restrictedInSurvey()).toEqual([]);
    expect(restrictedRecordings()).toEqual([]);
    const entries = await app.db().select().from(auditLog).where(eq(auditLog.reference, reference));
    expect(entries.filter((a) => a.action === "restriction.lifted")).toHaveLength(1);
    expect((await liftOf(reference)).attempts).toBe(1);
  }, 120_000);

  it("tells a requester reached only by SMS, with a link to the letter, and one reached only by post, by a letter to post", async () => {
    const dpo = await signedIn(app, "dpo");
    // An SMS-only requester (web, confirmed by SMS code), restricted earlier.
    const bySms = await verifiedBySms(app, "06 44 55 66 77", "+33644556677", { rights: ["restriction"] });
    await restrictedEarlier(bySms.reference);
    expect((await dpo.browser.post(`/admin/demandes/${bySms.reference}`, { intent: "restriction-lift" })).status).toBe(302);
    const due = formatInstant((await liftOf(bySms.reference)).dueAt, "fr");
    const { sms, letter } = await letterFromSms(app, "+33644556677");
    expect(sms.text).toContain(`pas avant le ${due}`);
    expect(letter).toContain(`Elle ne sera pas levée avant le ${due}`);

    // A requester reached only by post.
    const byPost = await verifiedTicket({ rights: ["restriction"] });
    await app.db().update(requests).set({ email: null, emailVerifiedAt: null, postalAddress: "12 rue des Halles\n37000 Tours", postalVerifiedAt: new Date() }).where(eq(requests.id, byPost.id));
    await restrictedEarlier(byPost.reference);
    expect((await dpo.browser.post(`/admin/demandes/${byPost.reference}`, { intent: "restriction-lift" })).status).toBe(302);
    const posted = await app.db().select().from(letters).where(eq(letters.requestId, byPost.id));
    expect(posted.filter((l) => l.kind.startsWith("restriction")).map((l) => [l.kind, l.delivery])).toEqual([["restriction_lift_notice", "post"]]);
    expect(textOf(await (await dpo.browser.get(`/admin/demandes/${byPost.reference}`)).text())).toContain("Courrier à imprimer et à poster");

    // Nothing can reach her: the lift is not announced, so it cannot happen.
    const nobody = await verifiedTicket({ rights: ["restriction"] });
    await app.db().update(requests).set({ email: null, emailVerifiedAt: null }).where(eq(requests.id, nobody.id));
    await restrictedEarlier(nobody.reference);
    const refused = await dpo.browser.post(`/admin/demandes/${nobody.reference}`, { intent: "restriction-lift" });
    expect(refused.status).toBe(409);
    expect(await app.db().select().from(restrictionLifts).where(eq(restrictionLifts.requestId, nobody.id))).toEqual([]);
  });

  it("lets the person contest the announced lift from their status page, before its date; a stranger cannot", async () => {
    const { reference, browser: person } = await verifiedByEmail(app, { rights: ["restriction"], email: "contest.lift@example.fr" });
    await restrictedEarlier(reference);
    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "restriction-lift" })).status).toBe(302);
    const notice = await mailTo(app, "contest.lift@example.fr", "levée prochaine");
    expect(notice.text).toContain("depuis votre page de suivi");

    // Her status page says when, and offers to object.
    const page = textOf(await (await person.get("/suivi/demande")).text());
    expect(page).toContain("Levée annoncée de la limitation du traitement");
    expect(page).toContain(`sera levée au plus tôt le ${formatInstant((await liftOf(reference)).dueAt, "fr")}`);

    // Someone without her follow session cannot stop it.
    expect((await app.browser().post("/suivi/demande", { intent: "lift-contest" })).status).toBe(401);
    expect((await liftOf(reference)).status).toBe("scheduled");

    const res = await person.post("/suivi/demande", { intent: "lift-contest" });
    expect(res.status).toBe(200);
    expect(textOf(await res.text())).toContain("Votre opposition est enregistrée : la limitation reste en vigueur.");
    expect(await liftOf(reference)).toMatchObject({ status: "stopped", stopReason: "objected", stoppedBy: null });
    const stopped = await app.db().select().from(auditLog).where(and(eq(auditLog.reference, reference), eq(auditLog.action, "restriction.lift_stopped")));
    expect(stopped.map((a) => a.actorKind)).toEqual(["requester"]);
    // The workers find nothing to lift, she is told, the ticket says she objected; a second contest is refused.
    await runDueLifts({ db: app.db(), registry: connectors(), now: () => new Date(Date.now() + 30 * 86_400_000) });
    expect((await liftOf(reference)).status).toBe("stopped");
    expect((await app.db().select().from(restrictions).where(eq(restrictions.requestId, (await ticketRow(reference)).id))).map((r) => r.liftedAt)).toEqual([null]);
    expect((await mailTo(app, "contest.lift@example.fr", "la limitation reste en vigueur")).text).toContain("Nous avons enregistré votre opposition");
    expect(textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text())).toContain("le demandeur s'y est opposé");
    expect((await person.post("/suivi/demande", { intent: "lift-contest" })).status).toBe(409);
    expect(textOf(await (await person.get("/suivi/demande")).text())).not.toContain("Levée annoncée");
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

    const access = await verifiedTicket();
    const notAsked = await support.browser.post(`/admin/demandes/${access.reference}`, { intent: "restriction-apply" });
    expect(notAsked.status).toBe(409);
    expect(textOf(await notAsked.text())).toContain("Cette demande ne porte pas sur la limitation du traitement.");
    expect(textOf(await (await support.browser.get(`/admin/demandes/${access.reference}`)).text())).not.toContain("Limitation du traitement (article 18)");
  });
});

describe("the Art. 18(3) notice", () => {
  for (const locale of LOCALES) {
    it(`renders the same text as reviewed (${locale})`, () => {
      const d = { reference: "DSR-2026-000123", liftFrom: "15/12/2026 14:03", days: 7, contact: "dpo@centrecall.example" };
      const m = restrictionLiftNotice(d, locale);
      expect({
        subject: m.subject,
        text: m.text,
        sms: smsRestrictionLiftNotice({ ...d, link: "https://droits.example/suivi/lien/x" }, locale),
        stopped: restrictionLiftStopped({ reference: d.reference, objected: true }, locale).text,
        done: restrictionLiftDone({ reference: d.reference, lifted: ["Études"], byHand: ["CRM"] }, locale).text,
      }).toMatchSnapshot();
      expect(m.html).toContain(`<html lang="${locale}">`);
    });
  }
});
