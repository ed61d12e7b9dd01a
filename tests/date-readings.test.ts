import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dateReadings, gatherJobs } from "../db/schema/gather";
import { seedRegister } from "../scripts/seed-register";
import { buildArchive, type Manifest } from "../app/services/archive.server";
import { entriesFor } from "../app/services/audit.server";
import { chooseDateReading } from "../app/services/date-readings.server";
import { createGatherSink, purgeJob, purgeRequest, readGathered } from "../app/services/gather-store.server";
import { editableFields, fieldToken } from "../app/services/rectification.server";
import { closeConnectors, connectors } from "../app/utils/connectors.server";
import { startApp, textOf, type Browser, type TestApp } from "./helpers/app";
import { drainGather, withDemoConnectors, gatherAll } from "./helpers/connectors";
import { signedIn } from "./helpers/staff";
import { verifiedTicket } from "./helpers/tickets";
import { first } from "../app/utils/db.server";

/**
 * Dates whose day and month could be swapped (ComPlus ticket n° 1), end to
 * end: David Blanc's survey answers came through the mobile app (channel
 * mobile_json) dated 03/05/2026 and 03/13/2026. Staff see each one on the
 * ticket page, choose a reading, and every later view and archive uses it.
 */
let app: TestApp;

beforeAll(async () => {
  app = await startApp();
  await withDemoConnectors(app, { respondents: 10 });
  await seedRegister(app.db(), new Date());
});
afterAll(async () => {
  await closeConnectors();
  await app?.stop();
});

/** A web request from David, verified by email link, gathered from every system. */
async function davidGathered(opts: { site?: "lille" } = {}) {
  const t = await verifiedTicket({ email: "david.blanc@example.fr", rights: ["access", "portability"], ...opts });
  const dpo = await signedIn(app, "dpo");
  // His mobile number sits in his survey record: confirmed there, it searches the recordings too.
  await gatherAll(app, dpo.browser, t.reference);
  return { ...t, dpo };
}

/** The anomaly of one raw value, as gathered, and the token the page's form carries for it. */
async function anomalyOf(requestId: number, raw: string) {
  const a = (await readGathered(app.db(), requestId)).anomalies.find((x) => x.connectorId === "survey" && x.raw === raw)!;
  expect(a).toBeDefined();
  return { ...a, token: fieldToken({ connectorId: a.connectorId, dataset: a.dataset, key: a.key, field: a.field }) };
}

const choose = (browser: Browser, reference: string, fields: Record<string, string>) => browser.post(`/admin/demandes/${reference}`, { intent: "date-reading", ...fields });

async function readingsOf(requestId: number) {
  return await app.db().select().from(dateReadings).where(eq(dateReadings.requestId, requestId));
}

/** One entry of a zip, with Info-ZIP's unzip (an independent reader). */
function unzipEntry(zip: string, name: string): string {
  return execFileSync("unzip", ["-p", zip, name], { encoding: "utf8" });
}

describe("dates whose day and month could be swapped", () => {
  it("are shown to staff with the system, dataset, record, field, raw value and both readings, in French and in English", async () => {
    const { reference, id, dpo } = await davidGathered();
    const html = await (await dpo.browser.get(`/admin/demandes/${reference}`)).text();
    const page = textOf(html);
    expect(page).toContain("Valeurs illisibles ou ambiguës");
    const ambiguous = await anomalyOf(id, "03/05/2026");
    const row = new RegExp(`<tr[^>]*data-anomaly-kind="ambiguous"[^>]*>[\\s\\S]*?</tr>`, "g");
    const rows = html.match(row) ?? [];
    expect(rows).toHaveLength(3);
    const mine = textOf(rows.find((r) => r.includes("03/05/2026"))!);
    expect(mine).toContain("Études de marché");
    expect(mine).toContain("answers");
    expect(mine).toContain(ambiguous.key);
    expect(mine).toContain("answered_at");
    expect(mine).toContain("03/05/2026");
    expect(mine).toContain("3 mai 2026");
    expect(mine).toContain("5 mars 2026");
    // 03/13/2026 is no date day-first: the one reading it offers.
    expect(textOf(rows.find((r) => r.includes("03/13/2026"))!)).toContain("13 mars 2026");
    // A radio group per anomaly, each with its legend and labels.
    expect(html.match(/<fieldset/g)!.length).toBeGreaterThanOrEqual(3);
    expect(html).toMatch(/<legend[^>]*>[^<]*03\/05\/2026/);
    expect(html).toMatch(/<input type="radio"[^>]*name="format"[^>]*value="mm\/dd\/yyyy"/);
    expect(html).toMatch(/<th scope="col">[^<]*Valeur enregistrée/);
    // Gathered values are personal data: reading them is audited.
    expect((await entriesFor(app.db(), reference)).map((e) => e.action)).toContain("record.viewed");

    await dpo.browser.get(`/langue?to=en&back=/admin/demandes/${reference}`);
    const en = textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text());
    expect(en).toContain("Unreadable or ambiguous values");
    expect(en).toContain("3 May 2026");
    expect(en).toContain("5 March 2026");
    await dpo.browser.get(`/langue?to=fr&back=/admin`);
  });

  it("take the reading staff choose over HTTP: stored, audited, on the timeline, and in the access archive", async () => {
    const { reference, id, dpo } = await davidGathered();
    const a = await anomalyOf(id, "03/05/2026");
    const res = await choose(dpo.browser, reference, { token: a.token, format: "mm/dd/yyyy" });
    expect(res.status).toBe(302);
    expect(await readingsOf(id)).toEqual([
      expect.objectContaining({ connectorId: "survey", dataset: "answers", itemKey: a.key, field: "answered_at", format: "mm/dd/yyyy", value: "2026-03-05", decidedBy: dpo.id }),
    ]);
    // Staff may change their mind: one row, the latest choice.
    expect((await choose(dpo.browser, reference, { token: a.token, format: "dd/mm/yyyy" })).status).toBe(302);
    expect((await readingsOf(id)).map((r) => [r.format, r.value])).toEqual([["dd/mm/yyyy", "2026-05-03"]]);
    expect((await choose(dpo.browser, reference, { token: a.token, format: "mm/dd/yyyy" })).status).toBe(302);
    expect((await readingsOf(id)).map((r) => [r.format, r.value])).toEqual([["mm/dd/yyyy", "2026-03-05"]]);

    const entries = (await entriesFor(app.db(), reference)).filter((e) => e.action === "record.date_read");
    expect(entries.map((e) => e.details)).toEqual([
      { connectorId: "survey", dataset: "answers", field: "answered_at", format: "mm/dd/yyyy", previous: null },
      { connectorId: "survey", dataset: "answers", field: "answered_at", format: "dd/mm/yyyy", previous: "mm/dd/yyyy" },
      { connectorId: "survey", dataset: "answers", field: "answered_at", format: "mm/dd/yyyy", previous: "dd/mm/yyyy" },
    ]);
    for (const e of entries) expect(JSON.stringify(e.details)).not.toMatch(/03\/05|2026-0|david/i);

    const html = await (await dpo.browser.get(`/admin/demandes/${reference}`)).text();
    const page = textOf(html);
    expect(page).toContain("Lecture d'une date ambiguë retenue"); // the timeline
    expect(page).toMatch(/Lecture retenue : [^.]*5 mars 2026/);
    const radios = (html.match(/<input type="radio"[^>]*>/g) ?? []).filter((r) => r.includes("checked"));
    expect(radios).toHaveLength(1);
    expect(radios[0]).toContain('value="mm/dd/yyyy"');

    // Every later view: the gathered record reads as chosen, the others stay empty.
    const gathered = await readGathered(app.db(), id);
    const answers = gathered.records.filter((r) => r.connectorId === "survey" && r.dataset === "answers");
    expect(answers.find((r) => r.key === a.key)?.fields.answered_at).toBe("2026-03-05");
    expect(answers.filter((r) => r.key !== a.key).map((r) => r.fields.answered_at)).toEqual([null, null]);

    const out = path.join(mkdtempSync(path.join(app.dir, "archive-")), "access.zip");
    await buildArchive({ db: app.db(), requestId: id, kind: "access", out, now: new Date(), registry: connectors() });
    const json = JSON.parse(unzipEntry(out, "data/survey/answers.json")) as Record<string, unknown>[];
    expect(json.find((r) => String(r.id) === a.key)?.answered_at).toBe("2026-03-05");
    expect(json.filter((r) => String(r.id) !== a.key).map((r) => r.answered_at)).toEqual([null, null]);
    const csv = unzipEntry(out, "data/survey/answers.csv");
    expect(csv).toContain("2026-03-05");
    const manifest = JSON.parse(unzipEntry(out, "manifest.json")) as Manifest;
    const listed = manifest.anomalies.filter((x) => x.connector === "survey");
    expect(listed).toHaveLength(3);
    const resolved = listed.find((x) => x.record === a.key)!;
    expect(resolved).toMatchObject({ raw: "03/05/2026", kind: "ambiguous", resolved: { format: "mm/dd/yyyy", value: "2026-03-05" } });
    expect(new Date(resolved.resolved!.decidedAt).getTime()).not.toBeNaN();
    expect(listed.filter((x) => x.record !== a.key).every((x) => x.resolved === undefined)).toBe(true);
    // The letter counts what is still unread: the two 03/13/2026.
    expect(textOf(unzipEntry(out, "LISEZ-MOI.html"))).toContain("2 valeurs n'ont pas pu être lues");
  });

  it("refuse a choice that is not one of the anomaly's readings, or no anomaly at all, with 400 and a French message", async () => {
    const { reference, id, dpo } = await davidGathered();
    const ambiguous = await anomalyOf(id, "03/05/2026");
    const impossible = await anomalyOf(id, "03/13/2026");
    const refused = async (fields: Record<string, string>, message: string) => {
      const res = await choose(dpo.browser, reference, fields);
      expect(res.status, JSON.stringify(fields).slice(0, 80)).toBe(400);
      expect(textOf(await res.text())).toContain(message);
    };
    const notOffered = "Choisissez l'une des lectures proposées pour cette date.";
    const unknown = "Cette valeur ne figure plus parmi les anomalies de la collecte : rechargez la page.";
    await refused({ token: ambiguous.token, format: "yyyy/mm/dd" }, notOffered);
    await refused({ token: ambiguous.token, format: "" }, notOffered);
    await refused({ token: ambiguous.token, format: "iso-datetime" }, notOffered);
    // 13 March is the only real date in 03/13/2026: day-first is not on offer.
    await refused({ token: impossible.token, format: "dd/mm/yyyy" }, notOffered);
    await refused({ token: "x' OR '1'='1", format: "mm/dd/yyyy" }, unknown);
    await refused({ token: "", format: "mm/dd/yyyy" }, unknown);
    await refused({ token: "A".repeat(20_000), format: "mm/dd/yyyy" }, unknown);
    await refused({ token: fieldToken({ connectorId: "survey", dataset: "answers", key: "1", field: "answered_at" }), format: "dd/mm/yyyy" }, unknown); // Corinne's answer
    await refused({ token: fieldToken({ connectorId: "survey", dataset: "respondents", key: "2", field: "email" }), format: "mm/dd/yyyy" }, unknown);
    expect(await readingsOf(id)).toEqual([]);
    // The one reading there is can be chosen.
    expect((await choose(dpo.browser, reference, { token: impossible.token, format: "mm/dd/yyyy" })).status).toBe(302);
    expect((await readingsOf(id)).map((r) => r.value)).toEqual(["2026-03-13"]);
  });

  it("are chosen by the DPO and support only, and an agent of another site finds no such ticket", async () => {
    const { reference, id } = await davidGathered({ site: "lille" });
    const a = await anomalyOf(id, "03/05/2026");
    const paris = await signedIn(app, "agent", "paris");
    expect((await paris.browser.get(`/admin/demandes/${reference}`)).status).toBe(404);
    expect((await choose(paris.browser, reference, { token: a.token, format: "mm/dd/yyyy" })).status).toBe(404);
    const lille = await signedIn(app, "agent", "lille");
    expect((await choose(lille.browser, reference, { token: a.token, format: "mm/dd/yyyy" })).status).toBe(403);
    const admin = await signedIn(app, "admin");
    expect((await choose(admin.browser, reference, { token: a.token, format: "mm/dd/yyyy" })).status).toBe(403);
    expect(await readingsOf(id)).toEqual([]);
    const support = await signedIn(app, "support");
    expect((await choose(support.browser, reference, { token: a.token, format: "mm/dd/yyyy" })).status).toBe(302);
    expect((await readingsOf(id)).map((r) => r.decidedBy)).toEqual([support.id]);
  });

  it("keep the chosen reading when the survey is gathered again and the same anomaly comes back", async () => {
    const { reference, id, dpo } = await davidGathered();
    const a = await anomalyOf(id, "03/05/2026");
    expect((await choose(dpo.browser, reference, { token: a.token, format: "mm/dd/yyyy" })).status).toBe(302);
    const surveyJobs = async () => await app.db().select().from(gatherJobs).where(and(eq(gatherJobs.requestId, id), eq(gatherJobs.connectorId, "survey")));
    const before = (await surveyJobs()).length;
    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "gather-rerun", connectorId: "survey" })).status).toBe(302);
    await drainGather(app);
    expect(await surveyJobs()).toHaveLength(before + 1);
    const again = await readGathered(app.db(), id);
    const survey = again.anomalies.filter((x) => x.connectorId === "survey");
    expect(survey).toHaveLength(3);
    expect(survey.find((x) => x.key === a.key)?.resolved).toMatchObject({ format: "mm/dd/yyyy", value: "2026-03-05" });
    expect(again.records.find((r) => r.connectorId === "survey" && r.dataset === "answers" && r.key === a.key)?.fields.answered_at).toBe("2026-03-05");
    expect(textOf(await (await dpo.browser.get(`/admin/demandes/${reference}`)).text())).toMatch(/Lecture retenue : [^.]*5 mars 2026/);
  });
});

describe("a chosen reading in rectification", () => {
  it("is the value staff see and correct, and no longer applies once the stored value has changed", async () => {
    const t = await verifiedTicket();
    const support = await signedIn(app, "support");
    const job = (await first(app.db().insert(gatherJobs).values({ requestId: t.id, connectorId: "survey", status: "done", queuedAt: new Date(), finishedAt: new Date() }).returning()))!;
    const sink = createGatherSink(app.db(), job);
    await sink.record({ dataset: "answers", key: "77", fields: { answer: "OUI", answered_at: null }, providedBySubject: ["answer", "answered_at"] });
    const readings = [
      { format: "dd/mm/yyyy", value: "2026-04-03" },
      { format: "mm/dd/yyyy", value: "2026-03-04" },
    ];
    await sink.anomaly({ dataset: "answers", key: "77", field: "answered_at", raw: "03/04/2026", expected: "dd/mm/yyyy", kind: "ambiguous", readings });
    const ctx = { db: app.db(), now: new Date(), actor: { kind: "staff" as const, id: support.id, role: "support" as const, site: "tours" as const, email: support.email, displayName: "Support" } };
    const token = fieldToken({ connectorId: "survey", dataset: "answers", key: "77", field: "answered_at" });
    expect((await editableFields(app.db(), t.id, connectors())).find((f) => f.field === "answered_at")?.value).toBeNull();
    await chooseDateReading({ ctx, reference: t.reference, token, format: "mm/dd/yyyy" });
    expect((await editableFields(app.db(), t.id, connectors())).find((f) => f.field === "answered_at")?.value).toBe("2026-03-04");

    // Gathered again with another raw value: the old choice is no reading of it, so it does not apply.
    await purgeJob(app.db(), job.id);
    const sink2 = createGatherSink(app.db(), job);
    await sink2.record({ dataset: "answers", key: "77", fields: { answer: "OUI", answered_at: null }, providedBySubject: ["answer", "answered_at"] });
    await sink2.anomaly({ dataset: "answers", key: "77", field: "answered_at", raw: "03/06/2026", expected: "dd/mm/yyyy", kind: "ambiguous", readings: [{ format: "dd/mm/yyyy", value: "2026-06-03" }, { format: "mm/dd/yyyy", value: "2026-03-06" }] });
    expect((await editableFields(app.db(), t.id, connectors())).find((f) => f.field === "answered_at")?.value).toBeNull();
    expect((await readGathered(app.db(), t.id)).anomalies[0]?.resolved).toBeUndefined();

    // How staff read a date goes with the gathered copy (retention, erasure).
    expect(await readingsOf(t.id)).toHaveLength(1);
    await purgeRequest(app.db(), t.id);
    expect(await readingsOf(t.id)).toEqual([]);
  });
});
