import { describe, expect, it } from "vitest";
import { normalise } from "../app/services/discrepancies.server";

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
    const t = verifiedTicket();
    const job = (connectorId: string) =>
      db().insert(gatherJobs).values({ requestId: t.id, connectorId, status: "done", queuedAt: new Date() }).returning().get();
    const survey = createGatherSink(db(), job("survey"));
    await survey.record({ dataset: "respondents", key: "1", fields: { last_name: "DESMARC", first_name: "CORINNE", address: "2, place de l'Église", postcode: "37100" }, providedBySubject: [] });
    await survey.record({ dataset: "answers", key: "10", fields: { question: "Possédez-vous un smartphone ?", answer: "OUI" }, providedBySubject: [] });
    // Re-keyed after the phone interview: the person said no.
    await survey.record({ dataset: "answers", key: "11", fields: { question: "Possédez-vous un smartphone ?", answer: "NON" }, providedBySubject: [] });
    await survey.record({ dataset: "answers", key: "12", fields: { question: "Quels réseaux ?", answer: "Facebook" }, providedBySubject: [] });
    const crm = createGatherSink(db(), job("crm"));
    await crm.record({ dataset: "contacts", key: "c-1", fields: { lastName: "Desmarc", firstName: "Corinne", address: "2 pl. de l'Eglise", postcode: "37000" }, providedBySubject: [] });

    const found = discrepanciesFor(db(), t.id);
    const byField = Object.fromEntries(found.map((d) => [d.field === "answer" ? `answer:${d.question}` : d.field, d]));
    expect(byField["answer:Possédez-vous un smartphone ?"]?.values.map((v) => v.value).sort()).toEqual(["NON", "OUI"]);
    expect(byField["answer:Quels réseaux ?"]).toBeUndefined();
    expect(byField.address?.kind).toBe("value");
    expect(byField.postcode?.kind).toBe("value");
    expect(byField.lastName?.kind).toBe("spelling");
    closeDb();
    rmSync(dir, { recursive: true, force: true });
  });
});
