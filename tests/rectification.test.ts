import Database from "better-sqlite3";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../db/schema/audit";
import { recipientNotices } from "../db/schema/rights";
import { textOf, type TestApp } from "./helpers/app";
import { corinneInPerson, freshDemoPerTest, gatherAll, controllersInstruct } from "./helpers/connectors";
import { signedIn } from "./helpers/staff";
import { ticketRow } from "./helpers/tickets";
import { mailsIn } from "./helpers/smtp-sink";

// Each test changes Corinne, the one person in all three demo systems: each gets fresh systems.
const fresh = freshDemoPerTest({ respondents: 30, recordings: 20, realAudio: 4, seed: 9 });
let app: TestApp;
let demo: ReturnType<typeof fresh.demo>;
beforeEach(() => {
  app = fresh.app();
  demo = fresh.demo();
});

/** The form's inputs, by [connector, dataset, key, field] (what the token in each name encodes). */
function inputsOf(html: string) {
  return [...html.matchAll(/name="to:([A-Za-z0-9_-]+)"/g)].map((m) => ({ name: `to:${m[1]}`, id: JSON.parse(Buffer.from(m[1]!, "base64url").toString()) as [string, string, string, string] }));
}

async function preparedTicket(newLastName: string) {
  const { reference, browser: support } = await corinneInPerson(app, ["rectification"]);
  await gatherAll(app, support, reference);
  await controllersInstruct(app, support, reference);
  const html = await (await support.get(`/admin/demandes/${reference}`)).text();
  const inputs = inputsOf(html);
  const surveyName = inputs.find((i) => i.id[0] === "survey" && i.id[1] === "respondents" && i.id[3] === "last_name");
  const crmName = inputs.find((i) => i.id[0] === "crm" && i.id[3] === "lastName");
  expect(surveyName && crmName).toBeTruthy();
  const res = await support.post(`/admin/demandes/${reference}`, { intent: "rectification-prepare", [surveyName!.name]: newLastName, [crmName!.name]: newLastName });
  expect(res.status).toBe(302);
  return { reference, support, surveyKey: surveyName!.id[2], crmKey: crmName!.id[2] };
}

const surveyLastName = (id: string) => {
  const db = new Database(demo.surveyFile, { readonly: true });
  try {
    return (db.prepare("SELECT last_name FROM respondents WHERE id = ?").get(id) as { last_name: string | null }).last_name;
  } finally {
    db.close();
  }
};

describe("rectification", () => {
  it("applies the approved diff in each system, reads it back, and tells the person and the recipients", async () => {
    const { reference, surveyKey, crmKey } = await preparedTicket("DESMARC-LEROY");
    expect(surveyLastName(surveyKey)).toBe("DESMARC"); // prepared is not applied

    const dpo = await signedIn(app, "dpo");
    const page = textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text());
    expect(page).toContain("Rectification à approuver : avant et après");
    expect(page).toContain("DESMARC-LEROY");

    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "rectification-approve" })).status).toBe(302);
    expect(surveyLastName(surveyKey)).toBe("DESMARC-LEROY");
    expect(demo.crm.contacts.get(crmKey)!.lastName).toBe("DESMARC-LEROY");
    expect(textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text())).toContain("Appliquée et vérifiée");

    await app.deliver();
    const mail = mailsIn(app, "desmarc.corinne@orange.fr", "rectifiées")[0];
    expect(mail?.text).toContain("last_name : DESMARC-LEROY");
    const notices = await app.db().select().from(recipientNotices).where(eq(recipientNotices.requestId, (await ticketRow(reference)).id));
    // Art. 19 per record: the survey was run for Osiris, which is told; the CRM is its client's own file (CentreCall is
    // that client's processor), not a disclosure to a recipient.
    expect(notices.map((n) => [n.kind, n.recipient]).sort()).toEqual([["rectification", "Osiris"]]);
    const toOsiris = mailsIn(app, "rgpd@osiris.example")[0];
    expect(toOsiris?.text).toContain(`respondents n° ${surveyKey}`);
    expect(toOsiris?.text).toContain("Champ rectifié : last_name.");
    expect(toOsiris?.text).not.toContain("lastName"); // the CRM's field: a system Osiris never received
    expect(toOsiris?.text).not.toContain("CNIL"); // a business notice, not one to a data subject
    expect(toOsiris?.text).not.toContain("DESMARC-LEROY"); // recipients learn which field, not the value
    const actions = await app.db().select().from(auditLog).where(eq(auditLog.reference, reference));
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(["rectification.prepared", "rectification.approved", "rectification.applied", "recipient.notified"]));
    expect(JSON.stringify(actions.map((a) => a.details))).not.toContain("DESMARC-LEROY");
  });

  it("is refused to agents and to support for approval, and needs a new value", async () => {
    const { reference, support } = await preparedTicket("DESMARC-B");
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "rectification-approve" })).status).toBe(403);
    const empty = await support.post(`/admin/demandes/${reference}`, { intent: "rectification-prepare" });
    expect(empty.status).toBe(400);
    expect(textOf(await empty.text())).toContain("Aucune valeur nouvelle n'a été saisie.");
    const forged = await support.post(`/admin/demandes/${reference}`, { intent: "rectification-prepare", "to:bm90LWEtdG9rZW4": "x" });
    expect(forged.status).toBe(400);
    const agent = await signedIn(app, "agent", "tours");
    expect((await agent.browser.post(`/admin/demandes/${reference}`, { intent: "rectification-approve" })).status).toBe(403);
  });

  it("checks typed values when typed: a phone as people write it is stored in E.164, an impossible one is refused at the form", async () => {
    const { reference, browser: support } = await corinneInPerson(app, ["rectification"]);
    await gatherAll(app, support, reference);
    await controllersInstruct(app, support, reference);
    const inputs = inputsOf(await (await support.get(`/admin/demandes/${reference}`)).text());
    const field = (connector: string, name: string) => inputs.find((i) => i.id[0] === connector && i.id[3] === name)!;
    const [surveyPhone, crmPhone, surveyEmail, surveyPostcode] = [field("survey", "phone"), field("crm", "phone"), field("survey", "email"), field("survey", "postcode")];
    expect(surveyPhone && crmPhone && surveyEmail && surveyPostcode).toBeTruthy();

    // Refused where it is typed, each with what to type instead, in French and English; nothing is prepared.
    for (const [input, value, message] of [
      [surveyPhone, "06 37 30", "n'est pas un numéro valide"],
      [crmPhone, "pas un numéro", "n'est pas un numéro valide"],
      [surveyEmail, "corinne@", "adresse électronique n'est pas valide"],
      [surveyPostcode, "3700", "il faut 5 chiffres"],
    ] as const) {
      const res = await support.post(`/admin/demandes/${reference}`, { intent: "rectification-prepare", [input.name]: value });
      expect(res.status, value).toBe(400);
      expect(textOf(await res.text())).toContain(message);
    }
    expect((await app.db().select().from(auditLog).where(eq(auditLog.reference, reference))).map((a) => a.action)).not.toContain("rectification.prepared");
    const en = await signedIn(app, "support");
    await en.browser.get("/langue?to=en&back=/admin");
    const enRes = await en.browser.post(`/admin/demandes/${reference}`, { intent: "rectification-prepare", [surveyPhone.name]: "06 37 30" });
    expect(textOf(await enRes.text())).toContain("is not a valid number");

    // Accepted as typed, normalised: the DPO sees, approves and each system gets +33637304716 and a lower-case address.
    const ok = await support.post(`/admin/demandes/${reference}`, {
      intent: "rectification-prepare",
      [surveyPhone.name]: "06 37 30 47 16",
      [crmPhone.name]: "06 37 30 47 16",
      [surveyEmail.name]: "  Corinne.Desmarc@Example.FR ",
    });
    expect(ok.status).toBe(302);
    const dpo = await signedIn(app, "dpo");
    expect(textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text())).toContain("+33637304716");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "rectification-approve" })).status).toBe(302);
    expect(textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text())).toContain("Appliquée et vérifiée");
    const db = new Database(demo.surveyFile, { readonly: true });
    try {
      const row = db.prepare("SELECT phone, email FROM respondents WHERE id = ?").get(surveyPhone.id[2]) as { phone: string; email: string };
      expect(row).toEqual({ phone: "+33637304716", email: "corinne.desmarc@example.fr" });
    } finally {
      db.close();
    }
    expect(demo.crm.contacts.get(crmPhone.id[2])!.phone).toBe("+33637304716");
  });

  it("reports a system that did not take the change, and applies once it is back", async () => {
    const { reference, surveyKey, crmKey } = await preparedTicket("DESMARC-C");
    const dpo = await signedIn(app, "dpo");
    demo.crm.fail("500", 4);
    const failed = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "rectification-approve" });
    expect(failed.status).toBe(409);
    const page = textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text());
    expect(page).toContain("Échec");
    expect(surveyLastName(surveyKey)).toBe("DESMARC-C"); // the survey took it; re-applying is a no-op there

    demo.crm.fail("ok");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "rectification-approve" })).status).toBe(302);
    expect(demo.crm.contacts.get(crmKey)!.lastName).toBe("DESMARC-C");
    expect(surveyLastName(surveyKey)).toBe("DESMARC-C");
  });
});
