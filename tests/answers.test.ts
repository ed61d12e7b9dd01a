import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archives } from "../db/schema/archives";
import { auditLog } from "../db/schema/audit";
import { gatherJobs, gatheredItems } from "../db/schema/gather";
import { infoRequests, letters } from "../db/schema/requests";
import { erasurePlans } from "../db/schema/rights";
import { seedRegister } from "../scripts/seed-register";
import { purgeExpiredArchives } from "../app/services/delivery.server";
import { sweepInfoRequests } from "../app/services/tickets.server";
import { instantToParisLocal } from "../app/utils/paris-time";
import { closeConnectors, connectors } from "../app/utils/connectors.server";
import { startApp, textOf, type Browser, type TestApp } from "./helpers/app";
import { drainGather, foundOffers, gatherAll, sentCode, withDemoConnectors, controllersInstruct } from "./helpers/connectors";
import { mailTo } from "./helpers/smtp-sink";
import { letterFromSms, linkIn, statusPage, verifiedByEmail, verifiedBySms } from "./helpers/requester";
import { signedIn } from "./helpers/staff";
import { zipText } from "./helpers/zip";
import { ticketRow } from "./helpers/tickets";
import { first, withTx } from "../app/utils/db.server";

/**
 * Issue 13: every answer true, complete, and delivered only to someone whose
 * identity and contact were checked — each observed defect, through the
 * production build over HTTP, real SQLite files, the SMTP sink and the SMS
 * gateway's mock.
 */
const ROOT = path.resolve(import.meta.dirname, "..");
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
  await withDemoConnectors(app, { respondents: 30, recordings: 30, realAudio: 8, seed: 11 });
  await seedRegister(app.db(), new Date());
});
afterAll(async () => {
  await closeConnectors();
  await app?.stop();
});

const jobs = async (reference: string) =>
  Object.fromEntries((await app.db().select().from(gatherJobs).where(eq(gatherJobs.requestId, (await ticketRow(reference)).id))).map((j) => [j.connectorId, j]));
const auditActions = async (reference: string) => (await app.db().select().from(auditLog).where(eq(auditLog.reference, reference))).map((a) => a.action);
const page = async (browser: Browser, reference: string) => {
  const html = await (await browser.get(`/admin/demandes/${reference}`)).text();
  return { html, text: textOf(html) };
};
const yesterday = () => instantToParisLocal(new Date(Date.now() - 86_400_000));

async function record(browser: Browser, body: Record<string, string | string[]>) {
  const res = await browser.post("/admin/saisie", { receivedAtLocal: yesterday(), site: "tours", rights: ["access"], details: "", email: "", phone: "", ...body });
  expect(res.status, textOf(await res.clone().text()).slice(0, 300)).toBe(302);
  return res.headers.get("location")!.match(/DSR-\d{4}-\d{6}/)![0];
}

describe("identity before disclosure", () => {
  it("refuses a document for a caller, and a caller's word about a contact reaches nobody's data", async () => {
    const agent = await signedIn(app, "agent", "tours");
    const refused = await agent.browser.post("/admin/saisie", {
      channel: "phone", receivedAtLocal: yesterday(), site: "tours", rights: ["access"], lastName: "Desmarc", firstName: "Corinne",
      email: "eve@example.org", phone: "02 47 00 00 00", details: "", verification: "document",
    });
    expect(refused.status).toBe(400);
    expect(textOf(await refused.text())).toContain("Une pièce d'identité ne se présente qu'en personne");

    // Someone calls as Corinne, gives her landline and their own email: the code can only go to the email.
    const reference = await record(agent.browser, { channel: "phone", lastName: "Desmarc", firstName: "Corinne", email: "eve@example.org", phone: "02 47 00 00 00", verification: "code_email" });
    const code = await mailTo(app, "eve@example.org", "code de confirmation");
    expect(code.text).toContain(reference);
    expect((await agent.browser.post(`/admin/demandes/${reference}`, { intent: "caller-code", code: await sentCode(app, reference) })).status).toBe(302);
    const row = await ticketRow(reference);
    expect(row.emailVerifiedAt).toBeInstanceOf(Date);
    expect(row.phoneVerifiedAt).toBeNull();

    const support = await signedIn(app, "support", "tours");
    expect((await support.browser.post(`/admin/demandes/${reference}`, { intent: "gather" })).status).toBe(302);
    await drainGather(app);
    const j = await jobs(reference);
    // Searched with the proven email only: nothing of Corinne's; her landline, never proven, is searched nowhere.
    expect(j.survey!.status).toBe("done");
    expect(j.survey!.records).toBe(0);
    expect(j.survey!.identifiers).toEqual([{ kind: "email", origin: "proven_email" }]);
    expect(j.recordings!.status).toBe("skipped");
    expect(j.recordings!.missing).toEqual(["phone"]);
    expect(await app.db().select().from(gatheredItems).where(eq(gatheredItems.requestId, row.id))).toEqual([]);
    expect(await foundOffers(support.browser, reference)).toEqual([]);
    const { text } = await page(support.browser, reference);
    expect(text).toContain("Non interrogé : il faut un numéro de téléphone");
  });

  it("accepts a call-back only to a number our systems hold, and then searches with it", async () => {
    const agent = await signedIn(app, "agent", "lille");
    const unknown = await record(agent.browser, { channel: "phone", site: "lille", lastName: "Inconnu", firstName: "Paul", phone: "06 11 11 11 11", verification: "callback" });
    const check = await agent.browser.post(`/admin/demandes/${unknown}`, { intent: "callback-check" });
    expect(check.status).toBe(200);
    expect(textOf(await check.text())).toContain("Aucun de nos systèmes ne connaît ce numéro");
    const refused = await agent.browser.post(`/admin/demandes/${unknown}`, { intent: "callback-confirm" });
    expect(refused.status).toBe(409);
    expect(textOf(await refused.text())).toContain("le rappel ne prouve rien");
    expect((await ticketRow(unknown)).status).toBe("awaiting_verification");

    // Nadia Azri's mobile is in the survey, the recordings and the CRM.
    const nadia = await record(agent.browser, { channel: "phone", site: "lille", lastName: "Azri", firstName: "Nadia", phone: "07 81 22 33 44", verification: "callback" });
    const held = await agent.browser.post(`/admin/demandes/${nadia}`, { intent: "callback-check" });
    expect(textOf(await held.text())).toMatch(/Numéro connu de : .*Enregistrements d'appels/);
    expect((await agent.browser.post(`/admin/demandes/${nadia}`, { intent: "callback-confirm" })).status).toBe(302);
    const row = await ticketRow(nadia);
    expect(row.status).toBe("received");
    expect(row.verificationMethod).toBe("callback");
    expect(row.phoneVerifiedAt).toBeInstanceOf(Date);
    expect(await auditActions(nadia)).toContain("ticket.callback_checked");
    const support = await signedIn(app, "support", "lille");
    await support.browser.post(`/admin/demandes/${nadia}`, { intent: "gather" });
    await drainGather(app);
    expect((await jobs(nadia)).recordings!.records).toBeGreaterThan(0);
    expect((await jobs(nadia)).recordings!.identifiers).toEqual([{ kind: "phone", origin: "proven_phone" }]);
  });

  it("sends nothing to a contact shown in person until a code proves it", async () => {
    const support = await signedIn(app, "support", "tours");
    const reference = await record(support.browser, { channel: "in_person", lastName: "Blanc", firstName: "David", email: "david.blanc@example.fr", phone: "06 12 34 56 78", verification: "document" });
    expect((await ticketRow(reference)).status).toBe("received");
    let view = await page(support.browser, reference);
    expect(view.text).toContain("Aucun moyen de contact n'est prouvé");
    // Nothing proven: nothing is searched…
    await support.browser.post(`/admin/demandes/${reference}`, { intent: "gather" });
    await drainGather(app);
    expect(Object.values(await jobs(reference)).map((j) => j.status)).toEqual(["skipped", "skipped", "skipped"]);
    // …and a disclosure is refused with the reason.
    const dpo = await signedIn(app, "dpo", "tours");
    const waived = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "gather-waive", connectorId: "survey", reason: "x" });
    expect(waived.status).toBe(400);

    // He reads back the code sent to his mobile: that contact, and only it, is proven.
    expect((await support.browser.post(`/admin/demandes/${reference}`, { intent: "contact-code-send", via: "sms" })).status).toBe(302);
    await app.deliver();
    const wrong = await support.browser.post(`/admin/demandes/${reference}`, { intent: "contact-code-check", via: "email", "code-email": await sentCode(app, reference) });
    expect(wrong.status).toBe(400);
    expect((await support.browser.post(`/admin/demandes/${reference}`, { intent: "contact-code-check", via: "sms", "code-phone": await sentCode(app, reference) })).status).toBe(302);
    const row = await ticketRow(reference);
    expect(row.phoneVerifiedAt).toBeInstanceOf(Date);
    expect(row.emailVerifiedAt).toBeNull();
    view = await page(support.browser, reference);
    expect(view.html).toMatch(/data-contact="phone" data-proven="yes"/);
    expect(view.html).toMatch(/data-contact="email" data-proven="no"/);
    expect(await auditActions(reference)).toEqual(expect.arrayContaining(["ticket.contact_code_sent", "ticket.contact_verified"]));
  });
});

describe("a complete search", () => {
  it("takes landlines on the web form, and searches the recordings with a landline found in the person's own survey record", async () => {
    const mobileOnly = await app.browser().post("/demande", { rights: ["access"], lastName: "Desmarc", firstName: "Corinne", email: "", phone: "02 47 00 00 00", verificationMethod: "sms", onBehalf: "self", details: "" });
    expect(mobileOnly.status).toBe(400);
    expect(textOf(await mobileOnly.text())).toContain("Pour recevoir un code par SMS, indiquez un numéro de portable");

    const { reference } = await verifiedByEmail(app, { rights: ["access"], email: "desmarc.corinne@orange.fr", phone: "02 47 00 00 00" });
    expect((await ticketRow(reference)).phone).toBe("+33247000000");
    const dpo = await signedIn(app, "dpo", "tours");
    await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "gather" });
    await drainGather(app);
    expect((await jobs(reference)).recordings!.status).toBe("skipped");
    // Not answerable yet: the recordings were not searched.
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" })).status).toBe(409);

    const offers = await foundOffers(dpo.browser, reference);
    expect(offers).toEqual([expect.objectContaining({ kind: "phone", value: "+33247000000" })]);
    expect((await page(dpo.browser, reference)).text).toContain("trouvé dans Études de marché (respondents)");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "identifier-confirm", token: offers[0]!.token })).status).toBe(302);
    expect(await auditActions(reference)).toContain("identifier.confirmed");
    await drainGather(app);
    const j = await jobs(reference);
    expect(j.recordings!.status).toBe("done");
    expect(j.recordings!.files).toBeGreaterThan(0);
    expect(j.recordings!.identifiers).toEqual([{ kind: "phone", origin: "found:survey" }]);
    // Her recordings hold the Tours switchboard as caller of the survey calls: never offered as hers.
    expect(await foundOffers(dpo.browser, reference)).toEqual([]);

    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" })).status).toBe(302);
    const archive = (await first(app.db().select().from(archives).where(eq(archives.requestId, (await ticketRow(reference)).id))))!;
    expect(archive.entries).toBeGreaterThan(5);
  });

  it("lets the DPO answer without a system that could not be searched, and the letter says why", async () => {
    const { reference } = await verifiedByEmail(app, { rights: ["access"], email: "nadia.azri@example.com" });
    const dpo = await signedIn(app, "dpo", "tours");
    await gatherAll(app, dpo.browser, reference);
    // Nadia's survey record holds her mobile: confirmed, it searched everything; make the CRM fail instead.
    const crm = (await jobs(reference)).crm!;
    await app.db().update(gatherJobs).set({ status: "failed", error: "CRM search by email: HTTP 500" }).where(eq(gatherJobs.id, crm.id));
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" })).status).toBe(409);
    const short = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "gather-waive", connectorId: "crm", reason: "court" });
    expect(short.status).toBe(400);
    expect(textOf(await short.text())).toContain("Indiquez pourquoi la réponse peut partir sans ce système");
    const why = "CRM du client en maintenance jusqu'au 15 : réponse partielle, complétée par un second envoi.";
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "gather-waive", connectorId: "crm", reason: why })).status).toBe(302);
    expect(await auditActions(reference)).toContain("gather.waived");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" })).status).toBe(302);
    // The letter in the archive says which system was not searched, and the DPO's reason.
    const { buildArchive } = await import("../app/services/archive.server");
    const out = path.join(app.dir, "waived.zip");
    await buildArchive({ db: app.db(), requestId: (await ticketRow(reference)).id, kind: "access", out, now: new Date(), registry: connectors() });
    const letter = textOf(await zipText(out, "LISEZ-MOI.html"));
    expect(letter).toContain("Où nous avons cherché");
    expect(letter).toContain("non interrogé : le système n'a pas pu être joint");
    expect(letter).toContain(`« ${why.slice(0, -1)} »`);
    expect(letter).toMatch(/Enregistrements d'appels : interrogé avec votre numéro de téléphone : \d+ enregistrements? trouvés?/);
    expect(letter).toContain("trouvé dans Études de marché");
  });
});

describe("no data held", () => {
  it("answers an access and erasure request for a person held nowhere truthfully: no archive, no certificate, the systems searched", async () => {
    const email = "personne.inconnue@example.org";
    const { browser: person, reference } = await verifiedByEmail(app, { rights: ["access", "erasure"], lastName: "Inconnue", firstName: "Personne", email });
    const dpo = await signedIn(app, "dpo", "tours");
    await gatherAll(app, dpo.browser, reference);
    const j = await jobs(reference);
    expect(j.survey!.records).toBe(0);
    expect(j.crm!.records).toBe(0);
    expect(j.recordings!.status).toBe("skipped");
    expect((await page(dpo.browser, reference)).text).toContain("Un système n'a pas été interrogé ou a échoué");
    const why = "Aucun numéro de téléphone connu pour cette personne : les enregistrements ne se cherchent que par numéro.";
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "gather-waive", connectorId: "recordings", reason: why })).status).toBe(302);

    const view = await page(dpo.browser, reference);
    expect(view.html).toContain('data-no-data="yes"');
    expect(view.text).not.toContain("Préparer et publier l'archive d'accès");
    // No archive claiming to hold a copy, no plan over an empty table.
    const access = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" });
    expect(access.status).toBe(409);
    expect(textOf(await access.text())).toContain("Aucune donnée n'a été trouvée");
    const plan = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "erasure-plan" });
    expect(plan.status).toBe(409);
    expect(textOf(await plan.text())).toContain("il n'y a rien à effacer");

    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "answer-no-data" })).status).toBe(302);
    const row = await ticketRow(reference);
    expect(row.status).toBe("completed");
    expect(row.outcome).toBe("no_data");
    expect(await app.db().select().from(erasurePlans).where(eq(erasurePlans.requestId, row.id))).toEqual([]);
    const mail = await mailTo(app, email, "nous ne détenons aucune donnée");
    expect(mail.text).toContain("CentreCall ne détient donc aucune donnée personnelle vous concernant dans ces systèmes.");
    expect(mail.text).toContain(`adresse électronique ${email}, que vous avez confirmée par un lien ou un code`);
    expect(mail.text).toContain("Études de marché : interrogé avec votre adresse électronique : aucune donnée trouvée.");
    expect(mail.text).toContain(`Enregistrements d'appels : non interrogé : ce système ne peut être interrogé qu'avec un numéro de téléphone, que nous n'avons pas pour vous. Notre délégué à la protection des données a décidé de vous répondre malgré tout, pour ce motif : « ${why.slice(0, -1)} ».`);
    expect(mail.text).toContain("nous ne vous délivrons pas de certificat d'effacement");
    expect(mail.text).not.toMatch(/Nous avons effacé|vous trouverez/);
    expect(await auditActions(reference)).toContain("ticket.answered_no_data");
    const status = await statusPage(person);
    expect(status.text).toContain("Terminée : nous ne détenons aucune donnée vous concernant");
    expect(status.text).not.toContain("Réponse au plus tard le");
    expect(status.text).toContain("Réponse envoyée : aucune donnée vous concernant");

    // The command line's export of the same request is that letter.
    const out = path.join(app.dir, "nobody.zip");
    const env = { ...process.env, CONNECTORS_CONFIG: process.env.CONNECTORS_CONFIG!, LOG_LEVEL: "silent" };
    const run = spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/cli.ts", "export", reference, "--kind", "access", "--out", out], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const letter = textOf(await zipText(out, "LISEZ-MOI.html"));
    expect(letter).toContain("nous ne détenons aucune donnée vous concernant");
    expect(letter).toContain("Études de marché : interrogé avec votre adresse électronique : aucune donnée trouvée.");
    expect(letter).not.toContain("vous trouverez");
  });
});

describe("every decision reaches the person, whatever channel they used", () => {
  it("by SMS: a refusal points to the letter with its grounds, and the status page shows them with no due date", async () => {
    const { browser: person, reference } = await verifiedBySms(app, "06 98 76 54 32", "+33698765432", { rights: ["access"] });
    const dpo = await signedIn(app, "dpo", "tours");
    const text = "Vous avez déposé la même demande trois fois cette semaine ; nous répondons à la première.";
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "refuse", confirmed: "1", reasons: ["excessive"], text })).status).toBe(302);
    const { sms, letter, browser: reader } = await letterFromSms(app, "+33698765432");
    expect(sms.text).toContain(`notre réponse à la demande ${reference}, ses motifs et vos recours`);
    // A letter is read only with its own request's follow session.
    const letterPath = (await statusPage(reader)).html.match(/href="(\/suivi\/courrier\/\d+)"/)![1]!;
    expect((await app.browser().get(letterPath)).status).toBe(404);
    const stranger = await verifiedByEmail(app, { email: "curieux@example.org", lastName: "Curieux", firstName: "Jean" });
    expect((await stranger.browser.get(letterPath)).status).toBe(404);
    expect(letter).toContain("Demande excessive");
    expect(letter).toContain(text);
    expect(letter).toContain("CNIL");
    const status = await statusPage(person);
    expect(status.html).toContain('data-state="refused"');
    expect(status.text).toContain("Motifs du refus");
    expect(status.text).toContain("Demande excessive (notamment répétitive)");
    expect(status.text).not.toContain("Réponse au plus tard le");
    expect(status.text).not.toContain("Étape de traitement");
  });

  it("by SMS: an extension points to its reasons; it is refused once the first month has passed", async () => {
    const { reference } = await verifiedBySms(app, "06 98 76 54 33", "+33698765433", { rights: ["access"] });
    const dpo = await signedIn(app, "dpo", "tours");
    const reasons = "Trois bases d'enquêtes et des enregistrements à rechercher sur deux sites.";
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "extend", reasons })).status).toBe(302);
    const { sms, letter } = await letterFromSms(app, "+33698765433");
    expect(sms.text).toMatch(/prolongée, réponse au plus tard le \d{2}\/\d{2}\/\d{4}\. Motifs : /);
    expect(letter).toContain(reasons);

    const late = await verifiedBySms(app, "06 98 76 54 34", "+33698765434", { rights: ["access"] });
    await withTx(app.db(), async (tx) => tx.update((await import("../db/schema/requests")).requests).set({ dueOn: "2026-01-05", effectiveDueOn: "2026-01-05" }).where(eq((await import("../db/schema/requests")).requests.reference, late.reference)));
    const refused = await dpo.browser.post(`/admin/demandes/${late.reference}`, { intent: "extend", reasons });
    expect(refused.status).toBe(409);
    expect(textOf(await refused.text())).toContain("La prolongation doit être décidée avant l'échéance actuelle");
  });

  it("by post: a letter with a code to print and mark as posted, then a decision as a letter; an archive cannot be posted", async () => {
    const agent = await signedIn(app, "agent", "tours");
    const none = await agent.browser.post("/admin/saisie", { channel: "mail", receivedAtLocal: yesterday(), site: "tours", rights: ["access"], lastName: "Desmarc", firstName: "Julien", email: "", phone: "", details: "", verification: "postal_code" });
    expect(none.status).toBe(400);
    expect(textOf(await none.text())).toContain("Indiquez une adresse électronique, un téléphone ou une adresse postale.");

    const reference = await record(agent.browser, { channel: "mail", lastName: "Desmarc", firstName: "Julien", postalAddress: "2, place de l'Église\n37100 Tours", postcode: "37100", verification: "postal_code" });
    const toPost = await app.db().select().from(letters).where(eq(letters.requestId, (await ticketRow(reference)).id));
    expect(toPost.map((l) => [l.kind, l.delivery, l.postedAt])).toEqual([["postal_code", "post", null]]);
    const printed = await agent.browser.get(`/admin/demandes/${reference}/courrier/${toPost[0]!.id}`);
    expect(printed.status).toBe(200);
    const printedText = textOf(await printed.text());
    expect(printedText).toContain("2, place de l'Église");
    expect(printedText).toContain("Julien Desmarc");
    const code = printedText.match(/confirmez-la avec ce code : (\d{6})/)![1]!;
    expect((await agent.browser.post(`/admin/demandes/${reference}`, { intent: "letter-posted", letterId: String(toPost[0]!.id) })).status).toBe(302);
    expect((await agent.browser.post(`/admin/demandes/${reference}`, { intent: "letter-posted", letterId: String(toPost[0]!.id) })).status).toBe(409);
    // The person calls back with the code from the letter.
    expect((await agent.browser.post(`/admin/demandes/${reference}`, { intent: "caller-code", code })).status).toBe(302);
    const row = await ticketRow(reference);
    expect(row.postalVerifiedAt).toBeInstanceOf(Date);

    // Searched by name and postcode (the address proven): Julien is in the survey, his mother Corinne is not him.
    const dpo = await signedIn(app, "dpo", "tours");
    await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "gather" });
    await drainGather(app);
    const j = await jobs(reference);
    expect(j.survey!.identifiers).toEqual([{ kind: "name_postcode", origin: "proven_postal" }]);
    expect(j.survey!.records).toBeGreaterThan(0);
    const held = await import("../app/services/gather-store.server");
    expect(JSON.stringify((await held.readGathered(app.db(), row.id)).records)).not.toContain("CORINNE");
    // A ZIP cannot be posted: refused with the reason.
    for (const connectorId of ["recordings", "crm"]) {
      await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "gather-waive", connectorId, reason: "Demande reçue par courrier : ni téléphone ni courriel connus." });
    }
    const archive = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" });
    expect(archive.status).toBe(409);
    expect(textOf(await archive.text())).toContain("une archive ZIP ne se poste pas");
    // A decision becomes a letter to post.
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "extend", reasons: "Recherche dans les archives papier du site de Tours." })).status).toBe(302);
    const after = await app.db().select().from(letters).where(eq(letters.requestId, row.id));
    expect(after.map((l) => [l.kind, l.delivery])).toEqual([["postal_code", "post"], ["acknowledgement", "post"], ["extension", "post"]]);
    const view = await page(dpo.browser, reference);
    expect(view.html).toMatch(/data-letter-kind="extension" data-delivery="post" data-posted="no"/);
  });

  it("refuses a decision that could reach nobody, saying why", async () => {
    const support = await signedIn(app, "support", "tours");
    const reference = await record(support.browser, { channel: "in_person", lastName: "Sans", firstName: "Contact", email: "sans.contact@example.org", verification: "document" });
    const dpo = await signedIn(app, "dpo", "tours");
    // A notice may go to the contact given; the no-data answer (a disclosure) may not.
    await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "gather" });
    await drainGather(app);
    for (const connectorId of ["survey", "recordings", "crm"]) {
      await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "gather-waive", connectorId, reason: "Aucun identifiant prouvé : la personne doit d'abord lire un code." });
    }
    const answer = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "answer-no-data" });
    expect(answer.status).toBe(409);
    expect(textOf(await answer.text())).toMatch(/Aucun moyen de contact n'est prouvé|Aucun système n'a été interrogé/);
    expect((await ticketRow(reference)).status).toBe("received");
  });
});

describe("the status page follows the work", () => {
  it("in plain words, from received to answer ready to closed, with every event named and no due date once closed", async () => {
    const { browser: person, reference } = await verifiedByEmail(app, { rights: ["access"], email: "david.blanc@example.fr", lastName: "Blanc", firstName: "David" });
    let status = await statusPage(person);
    expect(status.html).toContain('data-state="received"');
    expect(status.text).toContain("Reçue : nous allons rechercher vos données");
    expect(status.text).toContain("Identité confirmée : le délai de réponse reprend");

    const dpo = await signedIn(app, "dpo", "tours");
    await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "gather" });
    status = await statusPage(person);
    expect(status.text).toContain("Recherche de vos données en cours");
    await drainGather(app);
    await gatherAll(app, dpo.browser, reference);
    await controllersInstruct(app, dpo.browser, reference);
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" })).status).toBe(302);
    status = await statusPage(person);
    expect(status.html).toContain('data-state="answer_ready"');
    expect(status.text).toContain("Réponse prête : vos données sont à télécharger");
    expect(status.text).toContain("Vos données sont prêtes à être téléchargées");

    // The archive expires: the page says so, rather than the archive vanishing.
    await purgeExpiredArchives(app.db(), new Date(Date.now() + 8 * 86_400_000));
    status = await statusPage(person);
    expect(status.html).toContain('data-purge-reason="expired"');
    expect(status.text).toContain("à l'expiration de son lien de téléchargement");
    expect(status.text).toContain("Archive supprimée à l'expiration de son lien de téléchargement");

    for (const intent of ["start", "ready", "complete"]) await dpo.browser.post(`/admin/demandes/${reference}`, { intent, confirmed: "1" });
    status = await statusPage(person);
    expect(status.html).toContain('data-state="completed"');
    expect(status.text).toContain("Close le");
    expect(status.text).not.toContain("Réponse au plus tard le");
    expect(status.text).not.toContain("Étape de traitement");
    // The closing letter says what was done, from the ticket's own records.
    const mail = await mailTo(app, "david.blanc@example.fr", "est close");
    expect(mail.text).toMatch(/le .*, nous avons mis à votre disposition une copie de vos données \(droit d'accès\)/);
    expect(mail.text).not.toContain("effacé");
  });

  it("shows the question asked, with its reason required, reminds after 15 days and closes after 30 with a letter saying so", async () => {
    const { browser: person, reference } = await verifiedByEmail(app, { rights: ["access"], email: "lucie.question@example.fr", lastName: "Question", firstName: "Lucie" });
    const support = await signedIn(app, "support", "tours");
    const noReason = await support.browser.post(`/admin/demandes/${reference}`, { intent: "ask", question: "Quelle enquête est concernée ?" });
    expect(noReason.status).toBe(400);
    expect(textOf(await noReason.text())).toContain("Choisissez le motif de la question");
    expect((await support.browser.post(`/admin/demandes/${reference}`, { intent: "ask", reason: "scope", question: "Quelle enquête est concernée ?" })).status).toBe(302);
    const asked = await mailTo(app, "lucie.question@example.fr", "Précisions nécessaires");
    expect(asked.text).toContain("Sans réponse de votre part dans les 30 jours");
    let status = await statusPage(person);
    expect(status.html).toContain('data-state="info_requested"');
    expect(status.text).toContain("Quelle enquête est concernée ?");

    // Two processes sweep at the same moment, 16 days later: one reminder.
    const row = await ticketRow(reference);
    await app.db().update(infoRequests).set({ askedAt: new Date(Date.now() - 16 * 86_400_000) }).where(eq(infoRequests.requestId, row.id));
    const env = { ...process.env, LOG_LEVEL: "silent" };
    const runs = await Promise.all([0, 1].map(() => runCli(["expire"], env)));
    expect(runs.map((r) => r.code), runs.map((r) => r.stderr).join("\n")).toEqual([0, 0]);
    expect(runs.map((r) => r.stdout.match(/reminded (\d)/)![1]).sort()).toEqual(["0", "1"]);
    expect(await app.db().select().from(letters).where(and(eq(letters.requestId, row.id), eq(letters.kind, "info_reminder")))).toHaveLength(1);
    const reminder = await mailTo(app, "lucie.question@example.fr", "Rappel");
    expect(reminder.text).toContain("Quelle enquête est concernée ?");

    // Thirty days without a reply: closed, and told so.
    const { closed } = await sweepInfoRequests({ ctx: { db: app.db(), now: new Date(Date.now() + 15 * 86_400_000), actor: { kind: "system" } } });
    expect(closed).toBeGreaterThanOrEqual(1);
    expect(await ticketRow(reference)).toMatchObject({ status: "cancelled", outcome: "no_reply" });
    await app.deliver(new Date(Date.now() + 16 * 86_400_000));
    const closing = await mailTo(app, "lucie.question@example.fr", "est close");
    expect(closing.text).toContain("Faute de réponse en 30 jours, nous avons clôturé la demande sans y donner suite.");
    status = await statusPage(person);
    expect(status.text).toContain("Close faute de réponse de votre part");
  });

  it("says the same thing about the clock everywhere: from receipt, suspended while identity is checked", async () => {
    const home = textOf(await (await app.browser().get("/")).text());
    expect(home).toContain("Le temps que vous mettez à confirmer votre identité ne compte pas");
    expect(home).not.toMatch(/commencera à courir|starts once/);
    const browser = app.browser();
    await browser.post("/demande", { rights: ["access"], lastName: "Horloge", firstName: "Anne", email: "anne.horloge@example.fr", phone: "", onBehalf: "self", details: "", contactConsent: "on" });
    const filed = textOf(await (await browser.get("/demande/envoyee")).text());
    expect(filed).toContain("Le délai d'un mois compte à partir de la réception de votre demande ; il est suspendu jusqu'à ce que vous confirmiez votre identité.");
  });
});

describe("representatives", () => {
  const pdf = Buffer.from("%PDF-1.4\nMandat : Maître Lambert représente David Blanc pour l'accès à ses données, jusqu'au 31/12/2099.\n%%EOF");
  async function fileForDavid(answerTo: "representative" | "subject") {
    const form = new FormData();
    const fields: Record<string, string | string[]> = {
      rights: ["access"], lastName: "Lambert", firstName: "Sophie", email: "s.lambert@avocats.example", phone: "", onBehalf: "other",
      subjectLastName: "Blanc", subjectFirstName: "David", subjectEmail: "david.blanc@example.fr", subjectPhone: "",
      mandateUntil: "2099-12-31", mandateScope: "Toutes ses données d'enquête et ses appels", mandateAnswerTo: answerTo, details: "", contactConsent: "on",
    };
    for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) form.append(k, item);
    form.append("mandate", new Blob([pdf], { type: "application/pdf" }), "mandat.pdf");
    const browser = app.browser();
    expect((await browser.post("/demande", form)).status).toBe(302);
    const reference = textOf(await (await browser.get("/demande/envoyee")).text()).match(/DSR-\d{4}-\d{6}/)![0];
    const verify = linkIn((await mailTo(app, "s.lambert@avocats.example", "Confirmez")).text!, "/verification/");
    expect((await browser.post(verify, {})).status).toBe(302);
    return reference;
  }

  it("shows the mandate for review before any search, then searches with the person's own confirmed identifiers", async () => {
    const reference = await fileForDavid("representative");
    const support = await signedIn(app, "support", "tours");
    const view = await page(support.browser, reference);
    expect(view.html).toContain('data-mandate-status="pending"');
    expect(view.text).toContain("Toutes ses données d'enquête et ses appels");
    expect(view.text).toContain("david.blanc@example.fr — en attente de sa confirmation");
    const file = await support.browser.get(`/admin/demandes/${reference}/mandat`);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(pdf)).toBe(true);
    const reads = (await app.db().select().from(auditLog).where(and(eq(auditLog.reference, reference), eq(auditLog.action, "record.viewed")))).map((a) => (a.details as { what?: string }).what);
    expect(reads).toEqual(expect.arrayContaining(["mandate", "mandate_file"]));
    const agent = await signedIn(app, "agent", "tours");
    // An agent of the site sees the ticket, not the mandate.
    expect((await agent.browser.get(`/admin/demandes/${reference}/mandat`)).status).toBe(403);

    // No search before the mandate is accepted.
    const early = await support.browser.post(`/admin/demandes/${reference}`, { intent: "gather" });
    expect(early.status).toBe(409);
    expect(textOf(await early.text())).toContain("Le mandat du représentant doit être examiné et accepté avant toute recherche.");

    expect((await support.browser.post(`/admin/demandes/${reference}`, { intent: "mandate-accept" })).status).toBe(302);
    // Accepted, but the person has not confirmed: nothing is searched, and never with the representative's email.
    await support.browser.post(`/admin/demandes/${reference}`, { intent: "gather" });
    await drainGather(app);
    expect(Object.values(await jobs(reference)).map((j) => j.status)).toEqual(["skipped", "skipped", "skipped"]);

    const ask = await mailTo(app, "david.blanc@example.fr", "Une demande faite en votre nom");
    expect(ask.text).toContain("Sophie Lambert a demandé à CentreCall, avec un mandat");
    const confirm = linkIn(ask.text!, "/confirmation/");
    const davidBrowser = app.browser();
    expect((await davidBrowser.get(confirm)).status).toBe(200);
    expect((await ticketRow(reference)).id).toBeGreaterThan(0);
    const done = await davidBrowser.post(confirm, {});
    expect(done.status).toBe(200);
    expect(textOf(await done.text())).toContain("vos coordonnées sont confirmées");
    expect((await davidBrowser.post(confirm, {})).status).toBe(400);

    await gatherAll(app, support.browser, reference);
    const j = await jobs(reference);
    expect(j.survey!.identifiers).toContainEqual({ kind: "email", origin: "subject" });
    expect(j.survey!.records).toBeGreaterThan(0);
    // The answer goes where the mandate says: the representative's proven email.
    const dpo = await signedIn(app, "dpo", "tours");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" })).status).toBe(302);
    await mailTo(app, "s.lambert@avocats.example", "Vos données sont prêtes");
  });

  it("rejects a mandate with a reason the representative receives", async () => {
    const reference = await fileForDavid("subject");
    const support = await signedIn(app, "support", "tours");
    expect((await support.browser.post(`/admin/demandes/${reference}`, { intent: "mandate-reject", reason: "court" })).status).toBe(400);
    const reason = "Le mandat n'est pas signé par la personne représentée.";
    expect((await support.browser.post(`/admin/demandes/${reference}`, { intent: "mandate-reject", reason })).status).toBe(302);
    expect(await ticketRow(reference)).toMatchObject({ status: "refused", mandateStatus: "rejected" });
    const mail = await mailTo(app, "s.lambert@avocats.example", "mandat non accepté");
    expect(mail.text).toContain(reason);
    expect(await auditActions(reference)).toContain("mandate.rejected");
  });
});

/** A CLI process of its own, started now (to run two at once). */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/cli.ts", ...args], { cwd: ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
