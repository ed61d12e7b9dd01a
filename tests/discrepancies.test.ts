import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { normalise } from "../app/services/discrepancies.server";
import { textOf } from "./helpers/app";
import { drainGather, freshDemoPerTest } from "./helpers/connectors";
import { signedIn } from "./helpers/staff";
import { verifiedTicket } from "./helpers/tickets";
import { first } from "../app/utils/db.server";

describe("normalise", () => {
  it("ignores case, accents and punctuation, not content", () => {
    expect(normalise("2, place de l'Église")).toBe(normalise("2 place de l eglise"));
    expect(normalise("DESMARC")).toBe(normalise("Desmarc"));
    expect(normalise("2 pl. de l'Eglise")).not.toBe(normalise("2, place de l'Église"));
    expect(normalise("37100")).not.toBe(normalise("37000"));
  });
});

describe("the discrepancy report over gathered data", () => {
  it("flags an answer that disagrees with another record of the same question, and the address the CRM holds differently", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-disc-"));
    Object.assign(process.env, { APP_ENV: "test", APP_SECRET: "discrepancy-secret-long-enough-0123456789", DATA_DIR: dir, DATABASE_URL: `file:${dir}/db.sqlite`, LOG_LEVEL: "silent", BASE_URL: "http://127.0.0.1:9" });
    const { resetEnvForTests } = await import("../app/utils/env.server");
    const { closeDb, db } = await import("../app/utils/db.server");
    resetEnvForTests();
    closeDb();
    const { verifiedTicket } = await import("./helpers/tickets");
    const { gatherJobs } = await import("../db/schema/gather");
    const { createGatherSink } = await import("../app/services/gather-store.server");
    const { discrepanciesFor } = await import("../app/services/discrepancies.server");
    const t = await verifiedTicket();
    const job = async (connectorId: string) =>
      (await first(db().insert(gatherJobs).values({ requestId: t.id, connectorId, status: "done", queuedAt: new Date() }).returning()))!;
    const survey = createGatherSink(db(), await job("survey"));
    await survey.record({ dataset: "respondents", key: "1", fields: { last_name: "DESMARC", first_name: "CORINNE", address: "2, place de l'Église", postcode: "37100" }, providedBySubject: [] });
    await survey.record({ dataset: "answers", key: "10", fields: { question: "Possédez-vous un smartphone ?", answer: "OUI" }, providedBySubject: [] });
    // Re-keyed after the phone interview: the person said no.
    await survey.record({ dataset: "answers", key: "11", fields: { question: "Possédez-vous un smartphone ?", answer: "NON" }, providedBySubject: [] });
    await survey.record({ dataset: "answers", key: "12", fields: { question: "Quels réseaux ?", answer: "Facebook" }, providedBySubject: [] });
    const crm = createGatherSink(db(), await job("crm"));
    await crm.record({ dataset: "contacts", key: "c-1", fields: { lastName: "Desmarc", firstName: "Corinne", address: "2 pl. de l'Eglise", postcode: "37000" }, providedBySubject: [] });

    const found = await discrepanciesFor(db(), t.id);
    const byField = Object.fromEntries(found.map((d) => [d.field === "answer" ? `answer:${d.question}` : d.field, d]));
    expect(byField["answer:Possédez-vous un smartphone ?"]?.values.map((v) => v.value).sort()).toEqual(["NON", "OUI"]);
    expect(byField["answer:Quels réseaux ?"]).toBeUndefined();
    expect(byField.address?.kind).toBe("value");
    expect(byField.postcode?.kind).toBe("value");
    expect(byField.lastName?.kind).toBe("spelling");

    // The same phone in two spellings, the same email in two cases: one fact each, no discrepancy.
    const t2 = await verifiedTicket();
    const job2 = async (connectorId: string) => (await first(db().insert(gatherJobs).values({ requestId: t2.id, connectorId, status: "done", queuedAt: new Date() }).returning()))!;
    await createGatherSink(db(), await job2("survey")).record({ dataset: "respondents", key: "2", fields: { last_name: "Blanc", first_name: "David", email: "David.Blanc@example.fr", phone: "+33637304716" }, providedBySubject: [] });
    await createGatherSink(db(), await job2("crm")).record({ dataset: "contacts", key: "c-2", fields: { lastName: "Blanc", firstName: "David", email: "david.blanc@example.fr", phone: "06 37 30 47 16" }, providedBySubject: [] });
    await createGatherSink(db(), await job2("recordings")).record({ dataset: "recordings", key: "r-9", fields: { lastName: "Blanc", phone: "+33 6 37 30 47 16" }, providedBySubject: [] });
    expect(await discrepanciesFor(db(), t2.id)).toEqual([]);

    // A different number (or address) is still a difference, however it is spelt.
    const t3 = await verifiedTicket();
    const job3 = async (connectorId: string) => (await first(db().insert(gatherJobs).values({ requestId: t3.id, connectorId, status: "done", queuedAt: new Date() }).returning()))!;
    await createGatherSink(db(), await job3("survey")).record({ dataset: "respondents", key: "2", fields: { last_name: "Blanc", email: "david.blanc@example.fr", phone: "+33637304716" }, providedBySubject: [] });
    await createGatherSink(db(), await job3("crm")).record({ dataset: "contacts", key: "c-2", fields: { lastName: "Blanc", email: "blanc.david@example.fr", phone: "06 37 30 47 17" }, providedBySubject: [] });
    const differ = Object.fromEntries((await discrepanciesFor(db(), t3.id)).map((d) => [d.field, d]));
    expect(differ.phone).toMatchObject({ kind: "value", values: [{ connectorId: "survey", value: "+33637304716" }, { connectorId: "crm", value: "06 37 30 47 17" }] });
    expect(differ.email?.kind).toBe("value");
    expect(differ.lastName).toBeUndefined();
    closeDb();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("the discrepancy report on the ticket page", () => {
  const { app, demo } = freshDemoPerTest({ respondents: 10 });

  it("does not report the same phone in two formats, nor the same email in two cases", async () => {
    // David Blanc: the survey holds +33637304716 and David.Blanc@example.fr, the CRM 06 37 30 47 16 and david.blanc@example.fr.
    const survey = new Database(demo().surveyFile);
    survey.prepare("UPDATE respondents SET phone = ? WHERE id = 2").run("+33637304716");
    survey.close();
    demo().crm.contacts.get("c-2")!.phone = "06 37 30 47 16";

    const t = await verifiedTicket({ email: "david.blanc@example.fr" });
    const { browser } = await signedIn(app(), "dpo");
    expect((await browser.post(`/admin/demandes/${t.reference}`, { intent: "gather" })).status).toBe(302);
    await drainGather(app());
    const html = await (await browser.get(`/admin/demandes/${t.reference}`)).text();
    expect(html).toMatch(/data-connector="crm" data-job-status="done"/);
    expect(html).toMatch(/data-connector="survey" data-job-status="done"/);
    expect(html).not.toMatch(/data-field="phone"/);
    expect(html).not.toMatch(/data-field="email"/);
    // Real differences still show: "18, rue de la Roquette" in the survey, "18 rue de la Roquette" in the CRM.
    expect(html).toMatch(/data-field="address" data-kind="spelling"/);
    expect(textOf(html)).toContain("Divergences entre les systèmes");
  });
});
