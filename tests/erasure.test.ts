import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../db/schema/audit";
import { gatheredItems } from "../db/schema/gather";
import { erasurePlans, erasureSteps, recipientNotices } from "../db/schema/rights";
import { verifyChain } from "../app/services/audit.server";
import { textOf, type TestApp } from "./helpers/app";
import { blobKeys } from "./helpers/blobs";
import { corinneInPerson, freshDemoPerTest, gatherAll, controllersInstruct, erasureWorker } from "./helpers/connectors";
import { signedIn } from "./helpers/staff";
import { ticketRow } from "./helpers/tickets";
import { mailsIn } from "./helpers/smtp-sink";
import { cli } from "./helpers/processes";
import { first } from "../app/utils/db.server";

const CORINNE = { email: "desmarc.corinne@orange.fr", phone: "+33247000000" };

// Each test changes Corinne, the one person in all three demo systems: each gets fresh systems.
const fresh = freshDemoPerTest({ respondents: 40, recordings: 30, realAudio: 8, seed: 5 });
let app: TestApp;
let demo: ReturnType<typeof fresh.demo>;
beforeEach(() => {
  app = fresh.app();
  demo = fresh.demo();
});

/** Everything in the survey and recordings databases, one line per row, to compare before and after. */
function snapshot() {
  const survey = new Database(demo.surveyFile, { readonly: true });
  const rec = new Database(path.join(demo.recordingsRoot, "index.sqlite"), { readonly: true });
  try {
    return {
      respondents: survey.prepare("SELECT * FROM respondents ORDER BY id").all() as Record<string, unknown>[],
      answers: survey.prepare("SELECT * FROM answers ORDER BY id").all() as Record<string, unknown>[],
      recordings: rec.prepare("SELECT * FROM recordings ORDER BY id").all() as Record<string, unknown>[],
    };
  } finally {
    survey.close();
    rec.close();
  }
}

const isCorinne = (r: Record<string, unknown>) => r.email === CORINNE.email || r.phone === CORINNE.phone;
const isCorinneCall = (r: Record<string, unknown>) => r.caller_number === CORINNE.phone || r.called_number === CORINNE.phone;

async function gatheredTicket(rights = ["erasure"]) {
  const { reference, browser } = await corinneInPerson(app, rights);
  await gatherAll(app, browser, reference);
  await controllersInstruct(app, browser, reference);
  return { reference, support: browser };
}

const worker = erasureWorker(() => app);
const runWorker = (passes?: number) => worker.run(passes);

const planOf = async (reference: string) => (await app.db().select().from(erasurePlans).where(eq(erasurePlans.requestId, (await ticketRow(reference)).id))).at(-1)!;
const actions = async (reference: string) => (await app.db().select().from(auditLog).where(eq(auditLog.reference, reference))).map((a) => a.action);

describe("erasure, from plan to certificate", () => {
  it("erases exactly what the plan says, verifies, certifies, tells the recipients and purges our copies", async () => {
    const { reference, support } = await gatheredTicket();
    const before = snapshot();
    const corinneRespondents = before.respondents.filter(isCorinne);
    expect(corinneRespondents.length).toBeGreaterThan(0);
    const corinneAnswers = before.answers.filter((a) => corinneRespondents.some((r) => r.id === a.respondent_id));
    const corinneCalls = before.recordings.filter(isCorinneCall);
    expect(corinneCalls.length).toBeGreaterThan(0);

    // Support prepares the dry run; the page shows it, per system: the respondent row pseudonymised (not
    // erased), with what stays, why and until when.
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "erasure-plan" })).status).toBe(302);
    const page = textOf(await (await support.get(`/admin/demandes/${reference}`)).text());
    expect(page).toContain("Plan à approuver");
    expect(page).toContain("Pseudonymiser (pas un effacement)");
    expect(page).toContain("Vidés ou remplacés : last_name, first_name, address, phone.");
    expect(page).toContain("email, sous forme d'empreinte calculée avec une clé secrète");
    expect(page).not.toContain("Anonymiser (irréversible)");
    expect(snapshot()).toEqual(before); // a dry run changes nothing

    // Support cannot approve; a DPO can.
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "erasure-approve", confirmed: "1" })).status).toBe(403);
    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "erasure-approve", confirmed: "1" })).status).toBe(302);
    expect((await planOf(reference)).status).toBe("approved");

    await runWorker();
    expect((await planOf(reference)).status).toBe("verified");

    // Exactly the plan: Corinne's respondent rows anonymised, her answers and calls gone, everyone else untouched.
    const after = snapshot();
    const others = (rows: Record<string, unknown>[], mine: (r: Record<string, unknown>) => boolean) => rows.filter((r) => !mine(r));
    expect(after.respondents.length).toBe(before.respondents.length);
    expect(others(after.respondents, (r) => corinneRespondents.some((c) => c.id === r.id))).toEqual(others(before.respondents, (r) => corinneRespondents.some((c) => c.id === r.id)));
    for (const c of corinneRespondents) {
      const now = after.respondents.find((r) => r.id === c.id)!;
      expect(now.last_name).toBeNull();
      expect(now.first_name).toBeNull();
      expect(now.email).not.toBe(CORINNE.email);
      expect(now.phone).not.toBe(CORINNE.phone);
    }
    expect(after.respondents.filter(isCorinne)).toEqual([]);
    expect(after.answers.length).toBe(before.answers.length - corinneAnswers.length);
    expect(after.answers).toEqual(before.answers.filter((a) => !corinneAnswers.includes(a)));
    expect(after.recordings).toEqual(before.recordings.filter((r) => !isCorinneCall(r)));
    for (const call of corinneCalls) if (call.path) expect(existsSync(path.join(demo.recordingsRoot, String(call.path)))).toBe(false);
    expect([...demo.crm.contacts.values()].some((c) => c.email === CORINNE.email)).toBe(false);
    expect(demo.crm.contacts.size).toBeGreaterThan(0);

    // The certificate: to the requester, its hash in the audit trail, and the same document in the back office.
    const mail = await (async () => {
      await app.deliver(worker.after());
      return mailsIn(app, CORINNE.email, "demande d'effacement")[0];
    })();
    expect(mail).toBeDefined();
    expect(mail!.text).toContain("Études de marché");
    const certified = await app.db().select().from(auditLog).where(and(eq(auditLog.reference, reference), eq(auditLog.action, "erasure.certified")));
    expect(certified).toHaveLength(1);
    const cert = await dpo.browser.get(`/admin/demandes/${reference}/certificat`);
    expect(cert.status).toBe(200);
    const html = await cert.text();
    expect(createHash("sha256").update(html).digest("hex")).toBe(certified[0]!.details.sha256);
    expect(html).toContain(reference);
    expect(html).not.toContain(CORINNE.email);
    // Where we looked and with what, by kind of identifier: her landline was found in her survey record.
    expect(textOf(html)).toContain("Où nous avons cherché vos données");
    expect(textOf(html)).toMatch(/numéro de téléphone, trouvé dans Études de marché, dans un enregistrement qui vous concernait/);
    expect(textOf(html)).toMatch(/Enregistrements d'appels : interrogé avec votre numéro de téléphone : \d+ enregistrements? trouvés?/);
    // No objection on this request: no suppression list entry to speak of.
    expect(html).not.toContain('data-proof="suppression"');

    // Art. 19, per record: Corinne's survey and her survey call were for Osiris, which is told about those records only.
    const notices = await app.db().select().from(recipientNotices).where(eq(recipientNotices.requestId, (await ticketRow(reference)).id));
    expect(notices.map((n) => n.recipient).sort()).toEqual(["Osiris"]);
    const toOsiris = mailsIn(app, "rgpd@osiris.example")[0];
    expect(toOsiris?.subject).toContain(reference);
    expect(toOsiris?.text).not.toContain(CORINNE.email);
    expect(toOsiris?.text).toMatch(/respondents n° \d+/);
    expect(toOsiris?.text).not.toContain("CRM"); // not a system Osiris received anything from
    expect(toOsiris?.text).not.toContain("CNIL");
    const osiris = notices.find((n) => n.recipient === "Osiris")!;
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "notice-ack", noticeId: String(osiris.id) })).status).toBe(302);
    expect((await first(app.db().select().from(recipientNotices).where(eq(recipientNotices.id, osiris.id))))!.acknowledgedAt).not.toBeNull();

    // Our copies are gone; what proves the erasure stays.
    expect(await app.db().select().from(gatheredItems).where(eq(gatheredItems.requestId, (await ticketRow(reference)).id))).toEqual([]);
    expect(await blobKeys(`gathered/${(await ticketRow(reference)).id}/`)).toEqual([]);
    expect(await actions(reference)).toEqual(expect.arrayContaining(["erasure.planned", "erasure.approved", "erasure.step.executed", "erasure.executed", "erasure.verified", "erasure.certified", "recipient.notified", "recipient.acknowledged", "erasure.copies_purged"]));
    expect((await verifyChain(app.db())).ok).toBe(true);
  });

  it("certifies what is true: the survey row pseudonymised with each kept field, its ground and end date; calls and CRM deleted; our proof records and how long they stay", async () => {
    const { reference, support } = await gatheredTicket(["erasure", "objection"]);
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "objection-record" })).status).toBe(302);
    await support.post(`/admin/demandes/${reference}`, { intent: "erasure-plan" });
    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "erasure-approve", confirmed: "1" })).status).toBe(302);
    await runWorker();
    expect((await planOf(reference)).status).toBe("verified");

    const html = await (await dpo.browser.get(`/admin/demandes/${reference}/certificat`)).text();
    const [fr, en] = html.split('<section lang="en">') as [string, string];
    // One row per system and dataset, with what was done to it.
    const rows = (part: string) => [...part.matchAll(/<tr data-outcome="(\w+)"><th scope="row">([^<]+)<\/th><td>([^<]+)<\/td>/g)].map((m) => [m[2], m[3], m[1]]);
    expect(rows(fr)).toEqual([
      ["Études de marché", "respondents", "pseudonymised"],
      ["Études de marché", "answers", "deleted"],
      ["Enregistrements d&#39;appels", "recordings", "deleted"],
      ["CRM client", "contacts", "deleted"],
    ]);
    expect(rows(en)).toEqual(rows(fr));

    const frText = textOf(fr);
    const enText = textOf(en);
    // The respondent row: pseudonymised, never called erased or anonymised, every field it keeps with ground and end.
    const respondentRow = textOf(fr.match(/<tr data-outcome="pseudonymised">[\s\S]*?<\/tr>/)![0]);
    expect(respondentRow).toContain("Pseudonymisé, pas effacé");
    expect(respondentRow).toContain("last_name, first_name, address, phone ont été vidés ou remplacés");
    expect(respondentRow).toContain("considérant 26");
    const statistics = "Statistiques de l'étude remises au client commanditaire, sans nom ni coordonnées";
    for (const kept of [
      `email, sous forme d'empreinte calculée avec une clé secrète (un pseudonyme, pas la valeur) — motif : ${statistics}`,
      `postcode, généralisé (par exemple le code postal réduit au département) — motif : ${statistics}`,
      `city, tel quel — motif : ${statistics}`,
      `survey_client, tel quel — motif : ${statistics}`,
      `site, tel quel — motif : ${statistics}`,
      `source_channel, tel quel — motif : ${statistics}`,
      "created_at, tel quel — motif : Date de l'entretien : preuve due au client commanditaire que l'étude a été réalisée",
    ])
      expect(respondentRow).toContain(kept);
    expect(respondentRow.match(/jusqu'à 2 ans après la création de l'enregistrement/g)).toHaveLength(7);
    expect(respondentRow).not.toMatch(/Effacé|Anonymisé|Rien/);
    expect(frText).not.toContain("Aucun");
    expect(enText).not.toContain("None");
    expect(enText).toContain("Pseudonymised, not erased");
    expect(enText).toContain("email, as a hash computed with a secret key (a pseudonym, not the value) — ground: Statistiques de l'étude");
    expect(enText).toContain("until 2 years after the record was created");

    // RightsDesk's own proof, with the register's OP-07 ground and retention, and the suppression list entry.
    const proof = (part: string, record: string) => textOf(part.match(new RegExp(`<li data-proof="${record}">[^<]*</li>`))![0]).trim();
    expect(proof(fr, "ticket")).toMatch(/^Votre demande \(l'identité et les coordonnées que vous nous avez données, son contenu\), son historique.*\(OP-07\)\. Motif : Obligation légale/);
    expect(proof(fr, "ticket")).toContain("Durée : 5 ans après la clôture de la demande, à titre de preuve");
    expect(proof(fr, "audit")).toContain("Le journal d'audit");
    expect(proof(fr, "audit")).toContain("5 ans après la clôture de la demande");
    expect(proof(fr, "suppression")).toContain("votre numéro de téléphone et votre adresse électronique sous forme d'empreinte");
    expect(proof(fr, "suppression")).toContain("Conservée tant que votre opposition s'applique.");
    expect(proof(en, "ticket")).toContain("How long: 5 ans après la clôture de la demande");
    expect(proof(en, "suppression")).toContain("Kept as long as your objection applies.");

    // The email says the same, line by line.
    await app.deliver(worker.after());
    const mail = mailsIn(app, CORINNE.email, "demande d'effacement")[0]!;
    expect(mail.subject).toBe(`Votre demande d'effacement ${reference} : ce qui a été effacé et ce qui reste`);
    const text = mail.text!.replace(/\s+/g, " ");
    expect(text).toContain("Études de marché — respondents : 1 enregistrement pseudonymisé, pas effacé : last_name, first_name, address, phone ont été vidés ou remplacés par un texte fixe.");
    expect(text).toContain(`• email, sous forme d'empreinte calculée avec une clé secrète (un pseudonyme, pas la valeur) — motif : ${statistics}`);
    expect(text).toContain("• created_at, tel quel — motif : Date de l'entretien");
    expect(text).toContain("Études de marché — answers : 4 enregistrements effacés.");
    expect(text).toContain("Enregistrements d'appels — recordings : 2 enregistrements effacés.");
    expect(text).toContain("CRM client — contacts : 1 enregistrement effacé.");
    expect(text).toContain("Durée : 5 ans après la clôture de la demande");
    expect(text).toContain("Conservée tant que votre opposition s'applique.");
    expect(text).not.toContain("Aucun");
    expect(text).not.toMatch(/respondents : [^.]*effacé\./);

    // Art. 19: the survey client reads the same lines, not "erased" where we pseudonymised.
    const toOsiris = mailsIn(app, "rgpd@osiris.example", reference)[0]!;
    const notice = toOsiris.text!.replace(/\s+/g, " ");
    expect(notice).toContain("Études de marché — respondents : 1 enregistrement pseudonymisé, pas effacé");
    expect(notice).toContain("jusqu'à 2 ans après la création de l'enregistrement");
    expect(notice).not.toContain("a obtenu l'effacement");
    // Only Osiris's own records: the survey call (not the inbound one), and nothing of the CRM.
    expect(notice).toContain("Enregistrements d'appels — recordings : 1 enregistrement effacé.");
    expect(notice).not.toContain("CRM client");
  });

  it("refuses approval by the person who prepared the plan (four eyes)", async () => {
    const { reference } = await gatheredTicket();
    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "erasure-plan" })).status).toBe(302);
    const own = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "erasure-approve", confirmed: "1" });
    expect(own.status).toBe(403);
    expect((await planOf(reference)).status).toBe("planned");
    expect(textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text())).toContain("un ou une autre DPO doit l'approuver");
    const other = await signedIn(app, "dpo");
    expect((await other.browser.post(`/admin/demandes/${reference}`, { intent: "erasure-approve", confirmed: "1" })).status).toBe(302);
  });

  it("keeps a down connector's steps pending and visible while the others complete, then finishes", async () => {
    const { reference, support } = await gatheredTicket();
    await support.post(`/admin/demandes/${reference}`, { intent: "erasure-plan" });
    const dpo = await signedIn(app, "dpo");
    await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "erasure-approve", confirmed: "1" });

    // The CRM answers 500 to the erasure and to its retry (not often enough to open the circuit breaker).
    demo.crm.fail("500", 2);
    await runWorker(1);
    const steps = await app.db().select().from(erasureSteps).where(eq(erasureSteps.planId, (await planOf(reference)).id));
    expect(steps.filter((s) => s.connectorId === "crm").every((s) => s.status === "pending" && s.error)).toBe(true);
    expect(steps.filter((s) => s.connectorId !== "crm").every((s) => s.status === "done")).toBe(true);
    expect((await planOf(reference)).status).toBe("executing");
    expect(snapshot().respondents.filter(isCorinne)).toEqual([]);
    const page = textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text());
    expect(page).toContain("Exécution en cours");
    expect(page).toContain("En attente");

    await runWorker();
    expect((await planOf(reference)).status).toBe("verified");
    expect((await actions(reference)).filter((a) => a === "erasure.step.executed")).toHaveLength(steps.length);
  });

  it("fails loudly when searching again still finds the person", async () => {
    const { reference, support } = await gatheredTicket();
    await support.post(`/admin/demandes/${reference}`, { intent: "erasure-plan" });
    // A record that reached the survey database after the plan was made: no step erases it.
    const survey = new Database(demo.surveyFile);
    const template = survey.prepare("SELECT * FROM respondents WHERE email IS NOT NULL LIMIT 1").get() as Record<string, unknown>;
    const cols = Object.keys(template).filter((c) => c !== "id");
    survey.prepare(`INSERT INTO respondents (${cols.join(",")}) VALUES (${cols.map(() => "?").join(",")})`).run(...cols.map((c) => (c === "email" ? CORINNE.email : template[c])) as never[]);
    survey.close();
    const dpo = await signedIn(app, "dpo");
    await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "erasure-approve", confirmed: "1" });
    await runWorker();
    const plan = await planOf(reference);
    expect(plan.status).toBe("failed");
    expect(plan.verification).toEqual({ leftovers: { survey: 1 } });
    expect(plan.certificateSha256).toBeNull();
    expect(await actions(reference)).toContain("erasure.verification_failed");
    expect(await actions(reference)).not.toContain("erasure.certified");
    expect(textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text())).toContain("Études de marché : 1 enregistrement encore trouvé après l'effacement.");
  });
});

describe("erase from the command line", () => {
  it("prints the plan, refuses the preparer as approver, and completes once after being killed between two steps", { timeout: 180_000 }, async () => {
    const { reference } = await gatheredTicket();
    const preparer = await signedIn(app, "dpo");
    const approver = await signedIn(app, "dpo");
    const agent = await signedIn(app, "agent");

    const planned = await cli(["erase", reference, "--plan", "--prepared-by", preparer.email], process.env);
    expect(planned.code, planned.stderr).toBe(0);
    const json = JSON.parse(planned.stdout) as { status: string; connectors: { id: string; steps: unknown[] }[] };
    expect(json.status).toBe("planned");
    expect(json.connectors.map((c) => c.id).sort()).toEqual(["crm", "recordings", "survey"]);
    expect(planned.stdout).not.toContain(CORINNE.email);

    const self = await cli(["erase", reference, "--execute", "--approved-by", preparer.email], process.env);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain("four eyes");
    const lowly = await cli(["erase", reference, "--execute", "--approved-by", agent.email], process.env);
    expect(lowly.code).toBe(1);
    expect(lowly.stderr).toContain("refused");
    expect((await cli(["erase", reference], process.env)).code).toBe(2);

    // Killed right after its first step (the survey's) is committed. The CRM (msw) lives in this test process only,
    // so the rest is finished here, as the server's worker loop would finish it.
    const killed = await cli(["erase", reference, "--execute", "--approved-by", approver.email], { ...process.env, FAULT_INJECT: "erasure-step-committed" });
    expect(killed.signal).toBe("SIGKILL");
    const afterKill = await app.db().select().from(erasureSteps).where(eq(erasureSteps.planId, (await planOf(reference)).id));
    expect(afterKill.filter((s) => s.status === "done")).toHaveLength(1);
    expect((await planOf(reference)).status).toBe("executing");

    await runWorker();
    const plan = await planOf(reference);
    expect(plan.status).toBe("verified");
    const steps = await app.db().select().from(erasureSteps).where(eq(erasureSteps.planId, plan.id));
    expect(steps.every((s) => s.status === "done" && s.attempts === 1)).toBe(true);
    expect((await actions(reference)).filter((a) => a === "erasure.step.executed")).toHaveLength(steps.length);
    expect((await actions(reference)).filter((a) => a === "erasure.certified")).toHaveLength(1);
    expect(snapshot().respondents.filter(isCorinne)).toEqual([]);
    expect(readdirSync(app.dir).some((f) => f.includes("corinne"))).toBe(false);
  });
});
