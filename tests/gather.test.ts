import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatheredItems, gatherJobs } from "../db/schema/gather";
import { readGathered } from "../app/services/gather-store.server";
import { closeConnectors } from "../app/utils/connectors.server";
import type { crmApi } from "./mocks/crm";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { corinneInPerson as corinneInPersonFor, drainGather, foundOffers, gatherAll, searchWithFound, withDemoConnectors } from "./helpers/connectors";
import { signedIn } from "./helpers/staff";
import { ticketRow, verifiedTicket } from "./helpers/tickets";

let app: TestApp;
let crm: ReturnType<typeof crmApi>;

beforeAll(async () => {
  app = await startApp();
  ({ crm } = await withDemoConnectors(app));
});
afterAll(async () => {
  await closeConnectors();
  await app?.stop();
});

const drain = () => drainGather(app);

async function jobsOf(reference: string) {
  const id = (await ticketRow(reference)).id;
  return Object.fromEntries((await app.db().select().from(gatherJobs).where(eq(gatherJobs.requestId, id))).map((j) => [j.connectorId, j]));
}

const corinneInPerson = () => corinneInPersonFor(app);

describe("gathering", () => {
  it("runs one job per connector and stores what each found, encrypted", async () => {
    const { reference, browser } = await corinneInPerson();
    const res = await browser.post(`/admin/demandes/${reference}`, { intent: "gather" });
    expect(res.status).toBe(302);
    expect(Object.values(await jobsOf(reference)).map((j) => j.status)).toEqual(["queued", "queued", "queued"]);
    await drain();
    // Her email is proven; her landline is not (it cannot receive a code): the recordings, searchable
    // by phone only, are "not searched", and say which identifier was missing.
    let jobs = await jobsOf(reference);
    expect(jobs.survey!.status).toBe("done");
    expect(jobs.recordings!.status).toBe("skipped");
    expect(jobs.recordings!.missing).toEqual(["phone"]);
    expect(jobs.crm!.status).toBe("done");
    // Her landline sits in her own survey record: offered as "found in", confirmed, it searches the recordings.
    const offers = await foundOffers(browser, reference);
    expect(offers.map((o) => o.value)).toContain("+33247000000");
    await searchWithFound(app, browser, reference);
    jobs = (await jobsOf(reference));
    expect(jobs.recordings!.status).toBe("done");
    expect(jobs.recordings!.identifiers).toEqual([{ kind: "phone", origin: "found:survey" }]);
    expect(jobs.survey!.records).toBeGreaterThan(1);
    expect(jobs.recordings!.files).toBeGreaterThan(0);
    expect(jobs.crm!.records).toBeGreaterThan(0);

    const gathered = await readGathered(app.db(), (await ticketRow(reference)).id);
    expect(gathered.records.some((r) => r.connectorId === "survey" && JSON.stringify(r.fields).includes("Facebook"))).toBe(true);
    expect(gathered.matches.map((m) => m.matchedOn)).toContain("phone");
    // At rest, nothing is readable.
    for (const row of (await app.db().select().from(gatheredItems))) {
      expect(row.payload.includes(Buffer.from("Desmarc", "utf8"))).toBe(false);
      expect(row.payload.includes(Buffer.from("desmarc.corinne", "utf8"))).toBe(false);
    }
    const html = await (await browser.get(`/admin/demandes/${reference}`)).text();
    const page = textOf(html);
    expect(page).toContain("Études de marché");
    expect(page).toMatch(/\d+ enregistrements trouvés/);
    expect(page).toContain("Recherché avec");
    // The seed's integrity incident: the survey and the CRM disagree about Corinne.
    expect(page).toContain("Divergences entre les systèmes");
    expect(html).toMatch(/data-field="postcode" data-kind="value"/);
    expect(html).toMatch(/data-field="address" data-kind="value"/);
    expect(html).toMatch(/data-field="lastName" data-kind="spelling"/);
    const { auditLog } = await import("../db/schema/audit");
    const actions = (await app.db().select().from(auditLog).where(eq(auditLog.reference, reference))).map((a) => a.action);
    expect(actions).toContain("record.viewed");
  });

  it("searches only with identifiers verified on the ticket", async () => {
    // Verified by email link only: the phone (here Corinne's landline) is never used.
    const t = await verifiedTicket({ email: "desmarc.corinne@orange.fr" });
    const { browser } = await signedIn(app, "dpo");
    await browser.post(`/admin/demandes/${t.reference}`, { intent: "gather" });
    await drain();
    const jobs = await jobsOf(t.reference);
    expect(jobs.recordings!.status).toBe("skipped");
    expect(jobs.recordings!.matches).toBeNull();
    expect(jobs.survey!.matches).toBeGreaterThan(0);
    const gathered = await readGathered(app.db(), (await ticketRow(t.reference)).id);
    expect(gathered.matches.every((m) => m.matchedOn === "email")).toBe(true);
  });

  it.each([
    ["500", /HTTP 500/],
    ["timeout", /no answer/],
    ["malformed", /not valid JSON/],
  ] as const)("keeps the other connectors' results when the CRM fails (%s), and re-runs it alone", async (mode, reason) => {
    // Portability asked for, so that releasing its archive is refused for the unfinished gather alone.
    const { reference, browser } = await corinneInPersonFor(app, ["access", "portability"]);
    crm.fail(mode);
    await gatherAll(app, browser, reference);
    let jobs = await jobsOf(reference);
    expect(jobs.crm!.status).toBe("failed");
    expect(jobs.crm!.error).toMatch(reason);
    expect(jobs.crm!.error).not.toContain("@");
    expect(jobs.survey!.status).toBe("done");
    expect(jobs.recordings!.status).toBe("done");
    const page = textOf(await (await browser.get(`/admin/demandes/${reference}`)).text());
    expect(page).toContain("Échec");
    // An archive missing a source would look complete to the person: refused.
    const early = await browser.post(`/admin/demandes/${reference}`, { intent: "release-portability", confirmed: "1" });
    expect(early.status).toBe(409);
    expect(textOf(await early.text())).toContain("Un système n'a pas été interrogé ou a échoué");

    crm.fail("ok");
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "gather-rerun", connectorId: "crm" })).status).toBe(302);
    await drain();
    jobs = (await jobsOf(reference));
    expect(jobs.crm!.status).toBe("done");
    expect(jobs.crm!.attempts).toBe(1);
    const gathered = await readGathered(app.db(), (await ticketRow(reference)).id);
    expect(new Set(gathered.records.map((r) => r.connectorId))).toEqual(new Set(["survey", "recordings", "crm"]));
  });

  it("takes over a job whose process died mid-way, and finishes it once", async () => {
    const { reference, browser } = await corinneInPerson();
    await browser.post(`/admin/demandes/${reference}`, { intent: "gather" });
    const id = (await ticketRow(reference)).id;
    // A worker claimed the survey job, wrote part of it, and died.
    await app.db().update(gatherJobs).set({ status: "running", attempts: 1, leaseUntil: new Date(Date.now() - 1000) }).where(eq(gatherJobs.requestId, id));
    const job = (await jobsOf(reference)).survey!;
    await app.db().insert(gatheredItems).values({ jobId: job.id, requestId: id, connectorId: "survey", kind: "record", dataset: "respondents", itemKey: "half-written", payload: Buffer.from("partial"), createdAt: new Date() });
    await drain();
    const after = await jobsOf(reference);
    expect(after.survey!.status).toBe("done");
    expect(after.survey!.attempts).toBe(2);
    const items = await app.db().select().from(gatheredItems).where(eq(gatheredItems.jobId, job.id));
    expect(items.map((r) => r.itemKey)).not.toContain("half-written");
    // Finished once: no item stored twice.
    const ids = items.map((r) => `${r.kind}:${r.dataset}:${r.itemKey}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("replaces what a connector found before when it is re-run, files included, and keeps it when the re-run fails", async () => {
    const { reference, browser } = await corinneInPerson();
    await gatherAll(app, browser, reference);
    const id = (await ticketRow(reference)).id;
    const first = await readGathered(app.db(), id);
    const firstFiles = (await app.db().select().from(gatheredItems).where(eq(gatheredItems.requestId, id))).filter((i) => i.filePath);
    expect(firstFiles.length).toBeGreaterThan(0);
    for (const connectorId of ["survey", "recordings"]) {
      expect((await browser.post(`/admin/demandes/${reference}`, { intent: "gather-rerun", connectorId })).status).toBe(302);
      await drain();
    }
    const again = await readGathered(app.db(), id);
    const ids = (g: typeof first) => g.records.map((r) => `${r.connectorId}:${r.dataset}:${r.key}`).sort();
    expect(ids(again)).toEqual(ids(first));
    expect(again.files).toHaveLength(first.files.length);
    const { blobExists } = await import("./helpers/blobs");
    for (const f of firstFiles) expect(await blobExists(f.filePath!)).toBe(false);

    // A re-run that fails leaves the earlier results where they were.
    crm.fail("500");
    await browser.post(`/admin/demandes/${reference}`, { intent: "gather-rerun", connectorId: "crm" });
    await drain();
    crm.fail("ok");
    expect((await jobsOf(reference)).crm!.status).toBe("failed");
    expect(ids(await readGathered(app.db(), id))).toEqual(ids(first));
  });

  it("refuses a gather to a support agent's colleague of the wrong role and on unverified tickets", async () => {
    const t = await verifiedTicket({ site: "lille" });
    const agent = await signedIn(app, "agent", "lille");
    expect((await agent.browser.post(`/admin/demandes/${t.reference}`, { intent: "gather" })).status).toBe(403);
    const { browser } = await signedIn(app, "dpo");
    await browser.post(`/admin/demandes/${t.reference}`, { intent: "cancel", confirmed: "1" });
    expect((await browser.post(`/admin/demandes/${t.reference}`, { intent: "gather" })).status).toBe(409);
  });

  it("deletes gathered copies once a closed request's retention has passed, keeping the ticket", async () => {
    const { reference, browser } = await corinneInPerson();
    await browser.post(`/admin/demandes/${reference}`, { intent: "gather" });
    await drain();
    const id = (await ticketRow(reference)).id;
    expect((await readGathered(app.db(), id)).records.length).toBeGreaterThan(0);
    for (const intent of ["start", "ready", "complete"]) await browser.post(`/admin/demandes/${reference}`, { intent, confirmed: "1" });
    const { purgeAfterRetention } = await import("../app/services/gather-store.server");
    expect(await purgeAfterRetention(app.db(), new Date(Date.now() + 89 * 86_400_000))).toBe(0);
    expect(await purgeAfterRetention(app.db(), new Date(Date.now() + 91 * 86_400_000))).toBeGreaterThanOrEqual(1);
    const after = await readGathered(app.db(), id);
    expect(after.records).toHaveLength(0);
    expect(after.files).toHaveLength(0);
    expect((await ticketRow(reference)).status).toBe("completed");
  });

  it("shows each connector's health to staff", async () => {
    const { browser } = await signedIn(app, "support");
    const html = await (await browser.get("/admin/connecteurs")).text();
    expect(html).toContain('data-health="ok"');
    expect(textOf(html)).toContain("Enregistrements d'appels");
  });
});
