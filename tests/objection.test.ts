import Database from "better-sqlite3";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../db/schema/audit";
import { requestIdentifiers } from "../db/schema/requests";
import { seedRegister } from "../scripts/seed-register";
import { closeConnectors } from "../app/utils/connectors.server";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { gatherAll, personInPerson, withDemoConnectors } from "./helpers/connectors";
import { mailTo } from "./helpers/smtp-sink";
import { ticketRow } from "./helpers/tickets";

/**
 * Art. 21 done fully (issue 15, item 7): the identifiers found in the
 * systems and confirmed by staff reach the suppression list, the survey
 * database loses the contact details OP-03 promises to remove, and the
 * person is told exactly what was done — or that nothing was found.
 */
const TOKEN = "dialler-token-objection-0123456789-abcdefgh";

let app: TestApp;
let surveyFile: string;

beforeAll(async () => {
  app = await startApp({ env: { SUPPRESSION_API_TOKEN: TOKEN, SUPPRESSION_HASH_KEY: "objection-test-hash-key-0123456789-abcdef" } });
  ({ surveyFile } = await withDemoConnectors(app, { respondents: 30, recordings: 30, realAudio: 2, seed: 5 }));
  await seedRegister(app.db(), new Date());
});
afterAll(async () => {
  await closeConnectors();
  await app?.stop();
});

/** Seen in person with an identity document; she gives her email only, proven by a code. */
async function inPerson(p: { lastName: string; firstName: string; email: string }) {
  return personInPerson(app, { ...p, phone: "", site: "tours", details: "Ne plus être sollicitée pour des enquêtes." }, ["objection"]);
}

const check = async (phone: string) =>
  (await (
    await fetch(new URL("/api/suppression/check", app.base), { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ phone }) })
  ).json()) as { suppressed: boolean };

function respondent(id: number) {
  const db = new Database(surveyFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT last_name, email, phone, survey_client FROM respondents WHERE id = ?").get(id) as { last_name: string | null; email: string | null; phone: string | null; survey_client: string };
  } finally {
    db.close();
  }
}

function contactsLeft(): number {
  const db = new Database(surveyFile, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM respondents WHERE email IS NOT NULL OR phone IS NOT NULL").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe("objection (Art. 21) done fully", () => {
  it("lists the phone found in the systems once staff confirmed it, removes her contact details from the survey database, and tells her so", async () => {
    const { reference, browser } = await inPerson({ lastName: "Desmarc", firstName: "Corinne", email: "desmarc.corinne@orange.fr" });
    // The search finds her landline in the survey database and the CRM; support confirms it as hers.
    await gatherAll(app, browser, reference);
    const confirmed = await app.db().select().from(requestIdentifiers).where(eq(requestIdentifiers.requestId, (await ticketRow(reference)).id));
    expect(confirmed.filter((i) => i.origin === "found" && i.status === "confirmed").map((i) => i.kind)).toContain("phone");
    expect(await check("02 47 00 00 00")).toEqual({ suppressed: false });
    const before = contactsLeft();
    expect(respondent(1).email).toBe("desmarc.corinne@orange.fr");

    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "objection-record" })).status).toBe(302);

    // The number she never typed in her request, found and confirmed, is on the list the diallers check.
    expect(await check("02 47 00 00 00")).toEqual({ suppressed: true });
    expect(await check("+33247000000")).toEqual({ suppressed: true });
    // OP-03: her contact details are gone from the survey database, the rest of her row stays; nobody else's changed.
    expect(respondent(1)).toEqual({ last_name: "DESMARC", email: null, phone: null, survey_client: "Osiris" });
    expect(contactsLeft()).toBe(before - 1);

    const removal = (await app.db().select().from(auditLog).where(eq(auditLog.reference, reference))).find((a) => a.action === "objection.survey_contacts_removed")!;
    expect(removal.details).toEqual({ connectorId: "survey", records: 1, fields: 2 });
    expect(JSON.stringify(removal.details)).not.toMatch(/@|247000000/);

    const mail = await mailTo(app, "desmarc.corinne@orange.fr", "votre opposition est enregistrée");
    expect(mail.text).toContain("• votre adresse électronique\n• 1 autre numéro de téléphone trouvé dans nos systèmes");
    expect(mail.text).toMatch(/Vos coordonnées ont été supprimées de ces systèmes :\n• .+ : 1 enregistrement\n/);
    expect(mail.text).not.toContain("aucune coordonnée");
    expect(mail.text).not.toContain("247000000");
    const page = textOf(await (await browser.get(`/admin/demandes/${reference}`)).text());
    expect(page).toContain("Confirmation de l'opposition envoyée au demandeur");

    // The same person objecting again: nothing is removed twice, and the confirmation does not claim it was.
    const again = await inPerson({ lastName: "Desmarc", firstName: "Corinne", email: "desmarc.corinne@orange.fr" });
    await gatherAll(app, again.browser, again.reference);
    expect((await again.browser.post(`/admin/demandes/${again.reference}`, { intent: "objection-record" })).status).toBe(302);
    const second = await app.db().select().from(auditLog).where(eq(auditLog.reference, again.reference));
    expect(second.find((a) => a.action === "objection.recorded")!.details).toMatchObject({ added: 0 });
    const secondMail = await mailTo(app, "desmarc.corinne@orange.fr", `${again.reference} : votre opposition est enregistrée`);
    expect(secondMail.text).toContain("votre adresse électronique (déjà sur la liste)");
    expect(secondMail.text).not.toContain("Vos coordonnées ont été supprimées");
  });

  it("for a person found nowhere, lists the contact she gave and claims nothing was removed", async () => {
    const before = contactsLeft();
    const { reference, browser } = await inPerson({ lastName: "Nullepart", firstName: "Inès", email: "ines.nullepart@example.fr" });
    await gatherAll(app, browser, reference);
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "objection-record" })).status).toBe(302);
    expect(contactsLeft()).toBe(before);
    const mail = await mailTo(app, "ines.nullepart@example.fr", "votre opposition est enregistrée");
    expect(mail.text).toContain("• votre adresse électronique\n");
    expect(mail.text).not.toContain("trouvé dans nos systèmes");
    expect(mail.text).not.toContain("supprimées");
    expect(mail.text).toContain("Notre recherche n'a trouvé aucune coordonnée vous concernant à supprimer dans nos bases d'enquête.");
  });
});
