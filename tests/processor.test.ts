import path from "node:path";
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../db/schema/audit";
import { outbox } from "../db/schema/outbox";
import { controllerReferrals } from "../db/schema/referrals";
import { erasurePlans } from "../db/schema/rights";
import { buildArchive } from "../app/services/archive.server";
import { verifyChain } from "../app/services/audit.server";
import { textOf, type Browser, type TestApp } from "./helpers/app";
import { drainGather, freshDemoPerTest, gatherAll, erasureWorker } from "./helpers/connectors";
import { cli } from "./helpers/processes";
import { mailsIn, mailTo } from "./helpers/smtp-sink";
import { statusPage, verifiedByEmail } from "./helpers/requester";
import { signedIn } from "./helpers/staff";
import { ticketRow } from "./helpers/tickets";
import { unzipEntries } from "./helpers/zip";
import { connectors } from "../app/utils/connectors.server";
import { first } from "../app/utils/db.server";

/**
 * OP-06: CentreCall runs Neva Assurances' reception desk on Neva's own CRM,
 * as its processor. A request that finds the person there is forwarded to
 * Neva, and RightsDesk exports, erases, rectifies or restricts that data only
 * once Neva's instruction is recorded (Art. 28(3)(a), 29). Corinne is in the
 * demo CRM (contact c-1, interactions i-1 and i-2), in the survey database
 * and in the recordings.
 */
const NEVA = "dpo@client-crm.example";
const AWAITING_FR = "En attente des instructions du responsable du traitement (Neva Assurances)";

const fresh = freshDemoPerTest({ respondents: 40, recordings: 30, realAudio: 8, seed: 5 });
let app: TestApp;
let demo: ReturnType<typeof fresh.demo>;
beforeEach(() => {
  app = fresh.app();
  demo = fresh.demo();
});

/** Corinne files on the web, confirms by email (her browser follows the request); support searches every system. */
async function corinneFound(rights: string[]) {
  const requester = await verifiedByEmail(app, { rights });
  const support = await signedIn(app, "support");
  await gatherAll(app, support.browser, requester.reference);
  await app.deliver();
  return { reference: requester.reference, requester: requester.browser, support: support.browser };
}

const referralOf = async (reference: string) => await first(app.db().select().from(controllerReferrals).where(eq(controllerReferrals.requestId, (await ticketRow(reference)).id)));

async function ticketText(browser: Browser, reference: string) {
  return textOf(await (await browser.get(`/admin/demandes/${reference}`)).text());
}

async function instruct(browser: Browser, reference: string, instruction: string, note = "") {
  const id = (await referralOf(reference))!.id;
  return browser.post(`/admin/demandes/${reference}`, { intent: "referral-instruct", referralId: String(id), instruction, note });
}

async function accessArchive(reference: string, name: string) {
  const out = path.join(app.dir, `${name}.zip`);
  await buildArchive({ db: app.db(), requestId: (await ticketRow(reference)).id, kind: "access", out, now: new Date(), registry: connectors() });
  const entries = await unzipEntries(out);
  return { entries, letter: textOf(entries.get("LISEZ-MOI.html")!.toString("utf8")), manifest: JSON.parse(entries.get("manifest.json")!.toString("utf8")) as { files: { connector: string | null }[] } };
}

const worker = erasureWorker(() => app);
const runWorker = (passes?: number) => worker.run(passes);

describe("data held as a processor (OP-06, Neva Assurances' CRM)", () => {
  it("forwards the request to Neva once, by its own references; the CRM data stays out of the copy until Neva's instruction, and the person is told who answers for it", async () => {
    const { reference, requester, support } = await corinneFound(["access"]);

    // One message to Neva, naming its own records, our reference and deadline and our DPO; nothing from our other systems.
    const toNeva = mailsIn(app, NEVA);
    expect(toNeva).toHaveLength(1);
    const mail = toNeva[0]!;
    expect(mail.subject).toContain(reference);
    expect(mail.text).toContain("c-1");
    expect(mail.text).toContain("accès (article 15)");
    expect(mail.text).toContain("dpo@centrecall.example");
    expect(mail.text).toContain("Date limite de réponse à la personne");
    for (const value of ["Desmarc", "Corinne", "desmarc.corinne@orange.fr", "+33247000000", "02 47"]) expect(mail.text, value).not.toContain(value);
    // A business footer, not the data subject's complaint line.
    expect(mail.text).not.toContain("réclamation auprès de la CNIL");

    // Searching again does not forward it again.
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "gather" })).status).toBe(302);
    await drainGather(app);
    await app.deliver();
    expect(mailsIn(app, NEVA)).toHaveLength(1);

    // Staff and the person see that part waiting for Neva.
    expect(await ticketText(support, reference)).toContain(AWAITING_FR);
    const status = await statusPage(requester);
    expect(status.text).toContain(AWAITING_FR);
    expect(status.text).toContain("Neva Assurances répond de cette partie de votre demande : dpo@client-crm.example");

    // The copy built now holds our systems' data, not Neva's, and says who answers for it.
    const before = await accessArchive(reference, "before");
    expect([...before.entries.keys()].filter((n) => n.startsWith("data/crm"))).toEqual([]);
    expect(before.manifest.files.some((f) => f.connector === "crm")).toBe(false);
    expect([...before.entries.keys()].some((n) => n.startsWith("data/survey"))).toBe(true);
    expect(before.letter).toContain("Neva Assurances répond de cette partie de votre demande : dpo@client-crm.example");
    expect(before.letter).toContain("ne figurent pas dans cette copie");

    // The request cannot be closed over Neva's part.
    const dpo = await signedIn(app, "dpo");
    for (const intent of ["start", "ready"]) expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent })).status).toBe(302);
    const closing = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "complete", confirmed: "1" });
    expect(closing.status).toBe(409);
    expect(textOf(await closing.text())).toContain("instructions sont attendues");
    expect((await ticketRow(reference)).status).not.toBe("completed");

    // Neva acknowledges, then tells us to answer with its data: the copy now includes it.
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "referral-ack", referralId: String((await referralOf(reference))!.id) })).status).toBe(302);
    expect((await referralOf(reference))!.status).toBe("acknowledged");
    expect((await instruct(support, reference, "answer")).status).toBe(302);
    expect((await referralOf(reference))!.status).toBe("instructed");
    const after = await accessArchive(reference, "after");
    expect([...after.entries.keys()].filter((n) => n.startsWith("data/crm")).length).toBeGreaterThan(0);
    expect(after.letter).toContain("Sur ses instructions, ces données figurent dans cette copie");
    expect(await ticketText(support, reference)).not.toContain(AWAITING_FR);
    expect((await statusPage(requester)).text).not.toContain(AWAITING_FR);

    const actions = (await app.db().select().from(auditLog).where(eq(auditLog.reference, reference))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["referral.sent", "referral.acknowledged", "referral.instructed"]));
    expect((await verifyChain(app.db())).ok).toBe(true);
  });

  it("an erasure without Neva's instruction leaves the CRM alone, and the certificate says so", async () => {
    const { reference, support } = await corinneFound(["erasure"]);
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "erasure-plan" })).status).toBe(302);
    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "erasure-approve", confirmed: "1" })).status).toBe(302);
    await runWorker();
    const plan = (await app.db().select().from(erasurePlans).where(eq(erasurePlans.requestId, (await ticketRow(reference)).id))).at(-1)!;
    expect(plan.status).toBe("verified");
    expect(Object.keys(plan.summary)).not.toContain("crm");
    expect(demo.crm.log.filter((c) => c.method === "DELETE")).toEqual([]);
    expect(demo.crm.contacts.has("c-1")).toBe(true);
    // Queued at the worker's clock, which runs ahead of the test's.
    await app.deliver(worker.after());
    const certificate = mailsIn(app, "desmarc.corinne@orange.fr", "Votre demande d'effacement")[0]!;
    expect(certificate).toBeDefined();
    expect(certificate.text).toContain("Neva Assurances répond de cette partie de votre demande");
    expect(certificate.text).toContain("n'ont pas été effacées");

    // Neva's instruction comes after our part was certified: support searches again, and a second plan erases
    // what is still found — the CRM contact only — with a certificate of its own that says just that.
    expect((await instruct(support, reference, "erase")).status).toBe(302);
    await gatherAll(app, support, reference);
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "erasure-plan" })).status).toBe(302);
    const second = (await app.db().select().from(erasurePlans).where(eq(erasurePlans.requestId, (await ticketRow(reference)).id))).at(-1)!;
    expect(second.id).not.toBe(plan.id);
    expect(Object.keys(second.summary)).toEqual(["crm"]);
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "erasure-approve", confirmed: "1" })).status).toBe(302);
    await runWorker();
    expect((await first(app.db().select().from(erasurePlans).where(eq(erasurePlans.id, second.id))))!.status).toBe("verified");
    expect(demo.crm.contacts.has("c-1")).toBe(false);
    await app.deliver(worker.after());
    const certificates = mailsIn(app, "desmarc.corinne@orange.fr", "Votre demande d'effacement");
    expect(certificates).toHaveLength(2);
    const text = certificates[1]!.text!.replace(/\s+/g, " ");
    expect(text).toContain("CRM client — contacts : 1 enregistrement effacé.");
    expect(text).not.toContain("respondents");
    expect((await verifyChain(app.db())).ok).toBe(true);
  });

  it("after Neva's instruction to erase, the plan includes its CRM and the erasure deletes there", async () => {
    const { reference, support } = await corinneFound(["erasure"]);
    // The plan prepared while Neva is silent leaves its CRM out...
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "erasure-plan" })).status).toBe(302);
    const planOf = async () => (await app.db().select().from(erasurePlans).where(eq(erasurePlans.requestId, (await ticketRow(reference)).id))).at(-1)!;
    expect(Object.keys((await planOf()).summary)).not.toContain("crm");
    // ...Neva says erase: the new plan has it, and execution deletes its contact.
    expect((await instruct(support, reference, "erase")).status).toBe(302);
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "erasure-plan" })).status).toBe(302);
    expect((await planOf()).summary.crm?.delete).toBeGreaterThan(0);
    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "erasure-approve", confirmed: "1" })).status).toBe(302);
    await runWorker();
    expect((await planOf()).status).toBe("verified");
    expect(demo.crm.log.filter((c) => c.method === "DELETE").length).toBeGreaterThan(0);
    expect(demo.crm.contacts.has("c-1")).toBe(false);
  });

  it("reminds Neva once when its instructions are late, however many processes sweep at once", async () => {
    const { reference } = await corinneFound(["access"]);
    const id = (await referralOf(reference))!.id;
    await app.db().update(controllerReferrals).set({ sentAt: new Date(Date.now() - 8 * 86_400_000) }).where(eq(controllerReferrals.id, id));
    const env = { ...process.env, LOG_LEVEL: "silent" };
    const [a, b] = await Promise.all([cli(["expire"], env), cli(["expire"], env)]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    const reminders = await app.db().select().from(outbox).where(and(eq(outbox.requestId, (await ticketRow(reference)).id), eq(outbox.template, "controller_reminder")));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.recipient).toBe(NEVA);
    expect(reminders[0]!.subject).toContain("Relance n° 1");
    expect(`${a.stdout}${b.stdout}`).toMatch(/controllers reminded 1/);
    // A sweep again the same day owes nothing; once instructed, no more reminders ever.
    expect((await cli(["expire"], env)).stdout).toContain("controllers reminded 0");
    expect((await referralOf(reference))!.reminders).toBe(1);
    expect((await verifyChain(app.db())).ok).toBe(true);
  });

  it("a person not in the CRM: nothing is forwarded and nothing waits", async () => {
    const requester = await verifiedByEmail(app, { rights: ["access"], lastName: "Personne", firstName: "Marc", email: "marc.personne@example.fr" });
    const support = await signedIn(app, "support");
    await gatherAll(app, support.browser, requester.reference);
    await app.deliver();
    expect(mailsIn(app, NEVA)).toHaveLength(0);
    expect(await referralOf(requester.reference)).toBeUndefined();
    expect(await ticketText(support.browser, requester.reference)).not.toContain("responsable du traitement (Neva");
    expect((await statusPage(requester.browser)).text).not.toContain("Neva");
  });

  it("instructions are recorded only by staff who work tickets, with a reason for a refusal, and only for a right asked", async () => {
    const { reference, support } = await corinneFound(["access"]);
    // A refusal needs its reason; an instruction to erase on an access request is not one the request can take.
    expect((await instruct(support, reference, "refuse")).status).toBe(400);
    expect((await instruct(support, reference, "erase")).status).toBe(400);
    expect((await instruct(support, reference, "whatever")).status).toBe(400);
    // An agent (another site) cannot see the ticket; an admin cannot record instructions.
    const agent = await signedIn(app, "agent", "lille");
    expect((await instruct(agent.browser, reference, "answer")).status).toBe(404);
    const admin = await signedIn(app, "admin");
    expect((await instruct(admin.browser, reference, "answer")).status).toBe(403);
    // A referral of another request is not found from this one.
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "referral-instruct", referralId: "999", instruction: "answer" })).status).toBe(404);
    expect((await referralOf(reference))!.status).toBe("sent");
    // The refusal, with its reason, reaches the person's page.
    expect((await instruct(support, reference, "refuse", "Contrat de la personne résilié : données archivées chez Neva")).status).toBe(302);
    const dpo = await signedIn(app, "dpo");
    for (const intent of ["start", "ready", "complete"]) expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent, confirmed: "1" })).status, intent).toBe(302);
    const closing = await mailTo(app, "desmarc.corinne@orange.fr", "est close");
    expect(closing.text).toContain("Neva Assurances a refusé cette partie de votre demande");
  });
});
