import path from "node:path";
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { gatheredItems, gatherJobs } from "../db/schema/gather";
import { buildArchive } from "../app/services/archive.server";
import { runNextErasure } from "../app/services/erasure.server";
import { gatheredPrefix } from "../app/services/gather-store.server";
import { blobKeys } from "./helpers/blobs";
import { connectors } from "../app/utils/connectors.server";
import { textOf, type TestApp } from "./helpers/app";
import { corinneInPerson, drainGather, freshDemoPerTest, gatherAll, controllersInstruct } from "./helpers/connectors";
import { signedIn } from "./helpers/staff";
import { ticketRow } from "./helpers/tickets";
import { unzipEntries } from "./helpers/zip";
import { mailsIn } from "./helpers/smtp-sink";

/**
 * Issue 14: staff search the systems again (after a rectification, a new
 * identifier, or just to be sure). Only the latest completed search per
 * system counts: the earlier results are purged, and nothing the person is
 * given or told is counted twice.
 */
const fresh = freshDemoPerTest({ respondents: 40, recordings: 30, realAudio: 8, seed: 5 });
let app: TestApp;
let demo: ReturnType<typeof fresh.demo>;
beforeEach(() => {
  app = fresh.app();
  demo = fresh.demo();
});

async function gatheredThreeTimes(rights: string[]) {
  const { reference, browser } = await corinneInPerson(app, rights);
  await gatherAll(app, browser, reference);
  await controllersInstruct(app, browser, reference);
  for (let i = 0; i < 2; i++) {
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "gather" })).status).toBe(302);
    await drainGather(app);
  }
  return { reference, browser, id: (await ticketRow(reference)).id };
}

async function heldFor(requestId: number) {
  return await app.db().select().from(gatheredItems).where(eq(gatheredItems.requestId, requestId));
}

describe("a request searched three times", () => {
  it("holds each record and file once, the earlier searches' copies deleted from disk", async () => {
    const { id } = await gatheredThreeTimes(["access"]);
    const items = await heldFor(id);
    const keys = items.map((i) => `${i.connectorId}:${i.kind}:${i.dataset}:${i.itemKey}`);
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length);
    // Only the latest job of each system holds anything.
    const latest = new Map<string, number>();
    for (const j of (await app.db().select().from(gatherJobs).where(and(eq(gatherJobs.requestId, id), eq(gatherJobs.status, "done"))))) {
      latest.set(j.connectorId, Math.max(latest.get(j.connectorId) ?? 0, j.id));
    }
    expect(items.every((i) => latest.get(i.connectorId) === i.jobId)).toBe(true);
    // In the blob store: exactly the files the held items point to.
    const files = items.filter((i) => i.filePath).map((i) => path.basename(i.filePath!)).sort();
    expect(files.length).toBeGreaterThan(0);
    expect((await blobKeys(gatheredPrefix(id))).map((k) => path.basename(k)).sort()).toEqual(files);
  });

  it("gives an access archive with each recording once", async () => {
    const { id } = await gatheredThreeTimes(["access"]);
    const out = path.join(app.dir, "three-times.zip");
    await buildArchive({ db: app.db(), requestId: id, kind: "access", out, now: new Date(), registry: connectors() });
    const entries = await unzipEntries(out);
    const audio = [...entries.keys()].filter((n) => n.startsWith("recordings/"));
    expect(audio.length).toBeGreaterThan(0);
    expect(audio.filter((n) => /-\d+\.\w+$/.test(n.replace(/rec-\d+/, "")))).toEqual([]);
    const manifest = JSON.parse(entries.get("manifest.json")!.toString()) as { files: { path: string }[] };
    expect(manifest.files.filter((f) => f.path.startsWith("recordings/")).map((f) => f.path).sort()).toEqual([...audio].sort());
    // The recordings listed in the data are the ones in the folder, once each.
    const listed = JSON.parse(entries.get([...entries.keys()].find((n) => n.startsWith("data/recordings/") && n.endsWith(".json"))!)!.toString()) as { audio?: string }[];
    const named = listed.filter((r) => r.audio).map((r) => r.audio!);
    expect(new Set(named).size).toBe(named.length);
    expect(named.length).toBe(audio.length);
  });

  it("plans one erasure step per record and certifies the true counts", async () => {
    const { reference, browser: support } = await gatheredThreeTimes(["erasure"]);
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "erasure-plan" })).status).toBe(302);
    const dpo = await signedIn(app, "dpo");
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "erasure-approve", confirmed: "1" })).status).toBe(302);
    const crmRequests = demo.crm.state.requests;
    let t = Date.now() + 6 * 60_000;
    for (let i = 0; i < 10; i++) {
      const at = new Date((t += 120_000));
      if (!(await runNextErasure({ db: app.db(), registry: connectors(), now: () => at }))) break;
    }
    expect([...demo.crm.contacts.values()].some((c) => c.email === "desmarc.corinne@orange.fr")).toBe(false);
    // One search, one DELETE, one read-back for Corinne's one CRM contact (not one per search made).
    expect(demo.crm.state.requests - crmRequests).toBeLessThanOrEqual(3);
    await app.deliver(new Date(t + 60_000));
    const mail = mailsIn(app, "desmarc.corinne@orange.fr", "demande d'effacement")[0]!;
    const text = mail.text!.replace(/\s+/g, " ");
    expect(text).toContain("Études de marché — answers : 4 enregistrements effacés.");
    expect(text).toContain("Enregistrements d'appels — recordings : 2 enregistrements effacés.");
    expect(text).toContain("CRM client — contacts : 1 enregistrement effacé.");
    expect(text).toContain("Études de marché — respondents : 1 enregistrement pseudonymisé, pas effacé");
  });

  it("lets staff search a system again at once when its worker died mid-search", async () => {
    const { reference, browser, id } = await gatheredThreeTimes(["access"]);
    // A worker took the CRM search and died: the job stays "running", its lease 5 minutes ahead.
    const crmJob = (await app.db().select().from(gatherJobs).where(and(eq(gatherJobs.requestId, id), eq(gatherJobs.connectorId, "crm")))).at(-1)!;
    await app.db().update(gatherJobs).set({ status: "running", leaseUntil: new Date(Date.now() + 5 * 60_000) }).where(eq(gatherJobs.id, crmJob.id));
    const page = textOf(await (await browser.get(`/admin/demandes/${reference}`)).text());
    expect(page).toContain("Relancer");
    expect((await browser.post(`/admin/demandes/${reference}`, { intent: "gather-rerun", connectorId: "crm" })).status).toBe(302);
    await drainGather(app);
    const jobs = await app.db().select().from(gatherJobs).where(and(eq(gatherJobs.requestId, id), eq(gatherJobs.connectorId, "crm")));
    const rerun = jobs.at(-1)!;
    expect(rerun.id).not.toBe(crmJob.id);
    expect(rerun.status).toBe("done");
    // What is held for the CRM now is the rerun's, once.
    const crmItems = (await heldFor(id)).filter((i) => i.connectorId === "crm");
    expect(crmItems.length).toBeGreaterThan(0);
    expect(crmItems.every((i) => i.jobId === rerun.id)).toBe(true);
    expect((await blobKeys(gatheredPrefix(id))).length).toBeGreaterThan(0);
  });
});
