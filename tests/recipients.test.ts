import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { recipientNotices } from "../db/schema/rights";
import { buildArchive } from "../app/services/archive.server";
import { verifyChain } from "../app/services/audit.server";
import { getOperation, updateOperation } from "../app/services/register.server";
import { textOf, type TestApp } from "./helpers/app";
import { freshDemoPerTest, gatherAll, nadiaInPerson, erasureWorker } from "./helpers/connectors";
import { signedIn } from "./helpers/staff";
import { ticketRow } from "./helpers/tickets";
import { zipText } from "./helpers/zip";
import { mailsIn } from "./helpers/smtp-sink";
import { connectors } from "../app/utils/connectors.server";

/**
 * Art. 19 and Art. 15(1)(c), record by record. Nadia Azri was surveyed for
 * Lumen Énergie, not for Osiris (the client the survey operations used to
 * "notify" whoever the person was), and her two survey calls were for the
 * same client: only Lumen Énergie is told, about her records only.
 */
const NADIA = { email: "nadia.azri@example.com", phone: "+33781223344" };
const LUMEN = "rgpd@lumen-energie.example";
const OSIRIS = "rgpd@osiris.example";

const fresh = freshDemoPerTest({ respondents: 30, recordings: 20, realAudio: 4, seed: 11 });
let app: TestApp;
let demo: ReturnType<typeof fresh.demo>;
beforeEach(() => {
  app = fresh.app();
  demo = fresh.demo();
});

const worker = erasureWorker(() => app);
const runWorker = (passes?: number) => worker.run(passes);

async function erased(reference: string, support: Awaited<ReturnType<typeof nadiaInPerson>>["browser"]) {
  expect((await support.post(`/admin/demandes/${reference}`, { intent: "erasure-plan" })).status).toBe(302);
  const dpo = await signedIn(app, "dpo", "lille");
  expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "erasure-approve", confirmed: "1" })).status).toBe(302);
  await runWorker();
  await app.deliver(worker.after());
  return dpo;
}


describe("Art. 19 recipients, per record", () => {
  it("tells the client named on the person's records (Lumen Énergie), about those records only, and not the operation's usual client", async () => {
    const { reference, browser: support } = await nadiaInPerson(app, ["erasure"]);
    await gatherAll(app, support, reference);
    await erased(reference, support);

    const notices = await app.db().select().from(recipientNotices).where(eq(recipientNotices.requestId, (await ticketRow(reference)).id));
    expect(notices.map((n) => n.recipient)).toEqual(["Lumen Énergie"]);
    expect(mailsIn(app, OSIRIS, reference)).toEqual([]);
    const [toLumen, ...more] = mailsIn(app, LUMEN, reference);
    expect(more).toEqual([]);
    const text = toLumen!.text!.replace(/\s+/g, " ");
    // Identified by the references Lumen holds: her respondent row and her two survey calls; no value of her data.
    expect(text).toContain("Études de marché — respondents n° 3");
    expect(text.match(/Enregistrements d'appels — recordings n° /g)?.length).toBe(2);
    for (const value of [NADIA.email, NADIA.phone, "AZRI", "Nadia", "59000"]) expect(text).not.toContain(value);
    // What we did to those records, and nothing about the CRM, which Lumen never received.
    expect(text).toContain("Enregistrements d'appels — recordings : 2 enregistrements effacés.");
    expect(text).not.toContain("CRM");
    // A business notice: signed by the DPO, no complaint-to-the-CNIL line meant for a data subject.
    expect(text).toContain("dpo@centrecall.example");
    expect(text).not.toContain("CNIL");
    expect((await verifyChain(app.db())).ok).toBe(true);

    // Art. 19, last sentence: the person can see who was told, from the link in their certificate email.
    const certificate = mailsIn(app, NADIA.email, reference).find((m) => m.subject?.includes("demande d'effacement"))!;
    const person = app.browser();
    await person.follow(await person.get(new URL(certificate.text!.match(/https?:\/\/\S+\/suivi\/lien\/\S+/)![0]).pathname));
    const status = textOf(await (await person.get("/suivi/demande")).text());
    expect(status).toContain("Organismes informés (article 19)");
    expect(status).toContain("Lumen Énergie — informée de l'effacement le");
    expect(status).not.toContain("Osiris");
  });

  it("names a company the register does not know to staff, sends it nothing, and still tells the known one", async () => {
    // Her survey now says it was run for a client missing from the register.
    const survey = new Database(demo.surveyFile);
    survey.prepare("UPDATE respondents SET survey_client = 'Zeta Conseil' WHERE id = 3").run();
    survey.close();
    const { reference, browser: support } = await nadiaInPerson(app, ["erasure"]);
    await gatherAll(app, support, reference);
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "erasure-plan" })).status).toBe(302);
    const page = textOf(await (await support.get(`/admin/demandes/${reference}`)).text());
    expect(page).toContain("Zeta Conseil");

    const dpo = await signedIn(app, "dpo", "lille");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "erasure-approve", confirmed: "1" })).status).toBe(302);
    await runWorker();
    await app.deliver(worker.after());
    const notices = await app.db().select().from(recipientNotices).where(eq(recipientNotices.requestId, (await ticketRow(reference)).id));
    expect(notices.map((n) => n.recipient)).toEqual(["Lumen Énergie"]);
    const text = mailsIn(app, LUMEN, reference)[0]!.text!;
    expect(text).not.toContain("respondents"); // the survey row went to Zeta, not to Lumen
    expect(text).toContain("recordings n° ");
  });

  it("names in the access letter the companies her data actually went to, and says whether it leaves the EU", async () => {
    const { reference, browser: support } = await nadiaInPerson(app, ["access"]);
    await gatherAll(app, support, reference);
    // The gather flags her recordings: the demo index dates them before 31 March 2026, past OP-01's 25 days, and
    // the first was made without her recorded agreement.
    const ticket = await (await support.get(`/admin/demandes/${reference}`)).text();
    const flagged = [...ticket.matchAll(/<tr[^>]*data-recording="([^"]+)" data-past-retention="(\w+)" data-without-consent="(\w+)"/g)].map((m) => [m[2], m[3]]);
    expect(flagged).toEqual([
      ["true", "true"],
      ["true", "false"],
    ]);
    expect(textOf(ticket)).toContain("Enregistré sans accord enregistré de la personne");
    const out = path.join(mkdtempSync(path.join(tmpdir(), "rd-letter-")), "a.zip");
    // The register's details for each processing are on the page the letter links to (issue 16).
    const letterOf = async () => textOf(await zipText((await buildArchive({ db: app.db(), requestId: (await ticketRow(reference)).id, kind: "access", out, now: new Date(), registry: connectors() })).path, "lire/traitements.html"));

    let letter = await letterOf();
    expect(letter).toContain("Vos données de ce traitement ont été recueillies pour le compte de : Lumen Énergie.");
    expect(letter).not.toContain("pour le compte de : Osiris");
    expect(letter).toContain("Aucun : vos données de ce traitement restent dans l'Union européenne.");
    expect(letter).toContain("Prestataire de téléphonie hébergeant les fichiers audio"); // OP-01's processor, named

    // The DPO records a transfer for the survey contacts: the next letter states it, with its safeguard (Art. 15(2)).
    const dpo = await signedIn(app, "dpo", "lille");
    const ctx = { db: app.db(), now: new Date(), actor: { kind: "staff" as const, id: dpo.id, role: "dpo" as const, site: "lille" as const, email: dpo.email, displayName: "DPO" } };
    const current = (await getOperation(ctx, "OP-03")).operation;
    await updateOperation({ ctx, code: "OP-03", input: { ...current, transfers: "Hébergeur de sauvegarde ; Suisse ; décision d'adéquation de la Commission européenne" } });
    letter = await letterOf();
    expect(letter).toContain("Hébergeur de sauvegarde — Suisse — garantie : décision d'adéquation de la Commission européenne");
  });
});
