import { asc, eq } from "drizzle-orm";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { run as runCli } from "../scripts/cli";
import { archives } from "../db/schema/archives";
import { auditLog } from "../db/schema/audit";
import { archiveWithholdings, type WithholdingRow } from "../db/schema/withholdings";
import { applyWithholdings } from "../app/services/withholdings.server";
import { withheldSection } from "../documents/withholdings";
import { seedRegister } from "../scripts/seed-register";
import { closeConnectors } from "../app/utils/connectors.server";
import { startApp, textOf, type Browser, type TestApp } from "./helpers/app";
import { drainGather, withDemoConnectors, gatheredCorinne as gathered } from "./helpers/connectors";
import { csvRows } from "./helpers/csv";
import { downloadArchive } from "./helpers/requester";
import { signedIn } from "./helpers/staff";
import { ticketRow } from "./helpers/tickets";
import { first } from "../app/utils/db.server";

/**
 * Review before release (ADR 0016), over HTTP on the production build: staff
 * read what the archive would hold, support proposes keeping an item out,
 * the DPO decides, and the ZIP the person downloads lacks exactly that item
 * while its letter says what kind of item was withheld, from which system,
 * and why.
 */
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

const CORINNE = "desmarc.corinne@orange.fr";

const gatheredCorinne = (rights: string[]) => gathered(app, rights);

type Shown = { datasets: Map<string, { key: string; fields: string[] }[]>; files: { name: string; key: string }[] };

/** The preview as staff read it: each dataset's records (key, field names) and the files, from the page's markup. */
async function preview(browser: Browser, reference: string, kind: "access" | "portability") {
  const res = await browser.get(`/admin/demandes/${reference}/apercu?kind=${kind}`);
  const html = await res.text();
  const shown: Shown = { datasets: new Map(), files: [] };
  for (const section of html.split('data-dataset="').slice(1)) {
    const id = section.slice(0, section.indexOf('"'));
    const records = section.split('data-record="').slice(1).map((r) => ({ key: r.slice(0, r.indexOf('"')), fields: [...r.split("</table>")[0]!.matchAll(/data-field="([^"]+)"/g)].map((m) => m[1]!) }));
    shown.datasets.set(id, records);
  }
  shown.files = [...html.matchAll(/data-file="([^"]+)" data-file-key="([^"]+)"/g)].map((m) => ({ name: m[1]!, key: m[2]! }));
  return { status: res.status, html, text: textOf(html), shown };
}

const propose = (browser: Browser, reference: string, item: Record<string, string>) =>
  browser.post(`/admin/demandes/${reference}/apercu?kind=access`, { intent: "withhold-propose", kind: "access", scope: "access", ground: "others_rights", note: "", explanation: "", ...item });

const withholdingsOf = async (reference: string) => await app.db().select().from(archiveWithholdings).where(eq(archiveWithholdings.requestId, (await ticketRow(reference)).id)).orderBy(asc(archiveWithholdings.id));
const auditActions = async (reference: string) => await app.db().select().from(auditLog).where(eq(auditLog.reference, reference));
const json = (zip: Map<string, Buffer>, p: string) => JSON.parse(zip.get(p)!.toString("utf8")) as Record<string, unknown>[];

describe("reviewing an archive before it is released", () => {
  it("support proposes, publishing waits for the DPO, and the published ZIP lacks exactly the approved items, which the letter lists with their ground", async () => {
    const { reference, support } = await gatheredCorinne(["access", "portability"]);

    // The preview: what the access archive would hold, read by support, audited.
    const before = await preview(support, reference, "access");
    expect(before.status).toBe(200);
    expect(before.text).toContain("Aperçu de l'archive d'accès");
    const answers = before.shown.datasets.get("survey:answers")!;
    const respondents = before.shown.datasets.get("survey:respondents")!;
    expect(answers.length).toBeGreaterThan(1);
    expect(respondents.length).toBeGreaterThan(0);
    expect(before.shown.files.length).toBeGreaterThan(0);
    const previewed = (await auditActions(reference)).filter((a) => a.action === "archive.previewed");
    expect(previewed).toHaveLength(1);
    expect(JSON.stringify(previewed[0]!.details)).not.toContain(CORINNE);

    const record = answers[0]!;
    const other = answers[1]!;
    const respondent = respondents[0]!;
    const field = respondent.fields.find((f) => f === "email") ?? respondent.fields[0]!;
    const file = before.shown.files[0]!;

    // Support proposes three withholdings (a record, a field, a file) and a fourth the DPO will reject.
    expect((await propose(support, reference, { connectorId: "survey", dataset: "answers", key: record.key })).status).toBe(302);
    expect((await propose(support, reference, { connectorId: "survey", dataset: "respondents", key: respondent.key, field, scope: "both" })).status).toBe(302);
    expect((await propose(support, reference, { connectorId: "recordings", dataset: "recordings", key: file.key, fileName: file.name, ground: "other", explanation: "La voix d'un tiers est audible dans cet enregistrement." })).status).toBe(302);
    expect((await propose(support, reference, { connectorId: "survey", dataset: "answers", key: other.key, ground: "trade_secret" })).status).toBe(302);
    expect((await withholdingsOf(reference)).map((w) => w.state)).toEqual(["pending", "pending", "pending", "pending"]);

    // Publishing is refused while any is pending, with a clear message; the ticket page explains and links to the preview.
    const refusedPortability = await support.post(`/admin/demandes/${reference}`, { intent: "release-portability" });
    expect(refusedPortability.status).toBe(409);
    expect(textOf(await refusedPortability.text())).toContain("attend la décision du ou de la DPO");
    const dpo = await signedIn(app, "dpo");
    const refusedAccess = await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access" });
    expect(refusedAccess.status).toBe(409);
    expect(await app.db().select().from(archives).where(eq(archives.requestId, (await ticketRow(reference)).id))).toHaveLength(0);
    const ticket = await (await dpo.browser.get(`/admin/demandes/${reference}`)).text();
    expect(textOf(ticket)).toContain("Archive d'accès : 4 retraits d'éléments attendent la décision du ou de la DPO");
    expect(ticket).toContain(`href="/admin/demandes/${reference}/apercu?kind=access"`);
    expect(textOf(ticket)).not.toContain("Préparer et publier l'archive d'accès");

    // The command line's export waits too (it builds through the same function).
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const out = path.join(app.dir, "pending.zip");
    expect(await runCli(["export", reference, "--kind", "access", "--out", out])).toBe(1);
    expect(errors.mock.calls.flat().join("\n")).toContain("a proposed withholding awaits the DPO's decision");
    errors.mockRestore();
    expect(existsSync(out)).toBe(false);

    // Support cannot decide; the DPO approves three and rejects one.
    const [wRecord, wField, wFile, wOther] = await withholdingsOf(reference);
    expect((await support.post(`/admin/demandes/${reference}/apercu`, { intent: "withhold-approve", id: String(wRecord!.id), kind: "access" })).status).toBe(403);
    for (const w of [wRecord!, wField!, wFile!]) expect((await dpo.browser.post(`/admin/demandes/${reference}/apercu`, { intent: "withhold-approve", id: String(w.id), kind: "access" })).status).toBe(302);
    expect((await dpo.browser.post(`/admin/demandes/${reference}/apercu`, { intent: "withhold-reject", id: String(wOther!.id), kind: "access" })).status).toBe(302);
    // Deciding again is told, not done twice.
    const again = await dpo.browser.post(`/admin/demandes/${reference}/apercu`, { intent: "withhold-reject", id: String(wRecord!.id), kind: "access" });
    expect(again.status).toBe(409);
    expect(textOf(await again.text())).toContain("Ce retrait a déjà été décidé");
    expect((await withholdingsOf(reference)).map((w) => w.state)).toEqual(["approved", "approved", "approved", "rejected"]);

    // A new search finding the same records keeps the withholdings applying.
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "gather" })).status).toBe(302);
    await drainGather(app);

    expect((await dpo.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" })).status).toBe(302);
    const access = (await first(app.db().select().from(archives).where(eq(archives.requestId, (await ticketRow(reference)).id))))!;
    const zip = await downloadArchive(app, CORINNE, access.id);
    const manifest = JSON.parse(zip.get("manifest.json")!.toString("utf8")) as { files: { path: string; dataset: string | null; records?: number }[] };

    // The record: one answer fewer, in JSON, CSV and the manifest's count; the rejected one is still there.
    const answersJson = json(zip, "data/survey/answers.json");
    expect(answersJson).toHaveLength(answers.length - 1);
    expect(csvRows(zip.get("data/survey/answers.csv")!)).toHaveLength(answers.length); // header + rows
    expect(manifest.files.find((f) => f.path === "data/survey/answers.json")!.records).toBe(answers.length - 1);
    // The field: gone from that respondent's row (JSON and CSV), the rest of the row kept.
    const respondentsJson = json(zip, "data/survey/respondents.json");
    expect(respondentsJson).toHaveLength(respondents.length);
    expect(respondentsJson.filter((r) => field in r)).toHaveLength(respondents.filter((r) => r.fields.includes(field)).length - 1);
    const csv = csvRows(zip.get("data/survey/respondents.csv")!);
    if (respondents.length === 1) expect(csv[0]).not.toContain(field);
    if (respondents.length === 1 && field === "email") expect(JSON.stringify(respondentsJson)).not.toContain(CORINNE);
    // The file: not in the zip, not in the manifest.
    expect([...zip.keys()].some((k) => k.endsWith(file.name))).toBe(false);
    expect(manifest.files.some((f) => f.path.endsWith(file.name))).toBe(false);
    expect(manifest.files.filter((f) => f.path.startsWith("recordings/"))).toHaveLength(before.shown.files.length - 1);

    // The letter (in her language, French) lists the three, by kind, system and ground; not the rejected one, not the content.
    const letter = textOf(zip.get("LISEZ-MOI.html")!.toString("utf8"));
    expect(letter).toContain("Ce que nous avons retiré de cette archive, et pourquoi");
    expect(letter).toContain("Nous avons retiré 3 éléments de cette archive.");
    expect(letter).toContain("Un enregistrement entier du système « Études de marché » : il concerne aussi une autre personne, et vous le communiquer porterait atteinte à ses droits et libertés (article 15, paragraphe 4, du RGPD).");
    expect(letter).toContain("Une information d'un enregistrement du système « Études de marché »");
    expect(letter).toContain("Un fichier du système « Enregistrements d'appels » : La voix d'un tiers est audible dans cet enregistrement.");
    expect(letter).not.toContain("secret des affaires");
    expect(letter).not.toContain(file.name);

    // The field was withheld from both archives: the portability archive lacks it too, and its letter cites Art. 20(4); the
    // record and the file were withheld from the access archive only, so the portability letter does not mention them.
    expect((await support.post(`/admin/demandes/${reference}`, { intent: "release-portability", confirmed: "1" })).status).toBe(302);
    const portability = (await app.db().select().from(archives).where(eq(archives.requestId, (await ticketRow(reference)).id))).find((a) => a.kind === "portability")!;
    const pzip = await downloadArchive(app, CORINNE, portability.id);
    const portable = json(pzip, "data/survey/respondents.json");
    expect(portable.filter((r) => field in r)).toHaveLength(respondents.filter((r) => r.fields.includes(field)).length - 1);
    const pletter = textOf(pzip.get("LISEZ-MOI.html")!.toString("utf8"));
    expect(pletter).toContain("Nous avons retiré un élément de cette archive.");
    expect(pletter).toContain("(article 20, paragraphe 4, du RGPD)");

    // Everything journaled, without content.
    const actions = (await auditActions(reference)).map((a) => a.action);
    expect(actions.filter((a) => a === "withholding.proposed")).toHaveLength(4);
    expect(actions.filter((a) => a === "withholding.approved")).toHaveLength(3);
    expect(actions.filter((a) => a === "withholding.rejected")).toHaveLength(1);
    expect(JSON.stringify((await auditActions(reference)).map((a) => a.details))).not.toContain("La voix d'un tiers");

    // The journal shows the new actions with their labels, in both languages.
    const journal = textOf(await (await dpo.browser.get(`/admin/journal?ref=${reference}`)).text());
    expect(journal).toContain("Retrait d'un élément de l'archive approuvé");
  });

  it("only support and the DPO may withhold; only the DPO decides; a stranger sees nothing; an item not gathered is refused", async () => {
    const { reference, support } = await gatheredCorinne(["access"]);
    const shown = (await preview(support, reference, "access")).shown;
    const key = shown.datasets.get("survey:answers")![0]!.key;

    // Signed out: sent to sign in, nothing read, nothing audited.
    const stranger = app.browser();
    const res = await stranger.get(`/admin/demandes/${reference}/apercu?kind=access`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toContain("/admin/connexion");
    expect((await stranger.post(`/admin/demandes/${reference}/apercu`, { intent: "withhold-propose", connectorId: "survey", dataset: "answers", key, ground: "others_rights", scope: "access" })).status).not.toBe(200);
    expect(await withholdingsOf(reference)).toHaveLength(0);

    // An agent (even of the ticket's site) and an administrator may neither read the preview nor propose.
    for (const role of ["agent", "admin"] as const) {
      const who = await signedIn(app, role, "tours");
      expect((await who.browser.get(`/admin/demandes/${reference}/apercu?kind=access`)).status).toBe(403);
      expect((await propose(who.browser, reference, { connectorId: "survey", dataset: "answers", key })).status).toBe(403);
    }
    expect(await withholdingsOf(reference)).toHaveLength(0);
    expect((await auditActions(reference)).filter((a) => a.action === "archive.previewed")).toHaveLength(1);

    // An item the gather did not find, a field the record lacks, an "other" ground without a reason: 400, clear message, nothing recorded.
    const ghost = await propose(support, reference, { connectorId: "survey", dataset: "answers", key: "no-such-record" });
    expect(ghost.status).toBe(400);
    expect(textOf(await ghost.text())).toContain("Cet élément ne figure pas dans les données collectées");
    expect((await propose(support, reference, { connectorId: "survey", dataset: "answers", key, field: "no_such_field" })).status).toBe(400);
    const bare = await propose(support, reference, { connectorId: "survey", dataset: "answers", key, ground: "other" });
    expect(bare.status).toBe(400);
    expect(textOf(await bare.text())).toContain("expliquez le retrait");
    // A portability withholding on an access-only request.
    expect((await propose(support, reference, { connectorId: "survey", dataset: "answers", key, scope: "portability" })).status).toBe(400);
    expect(await withholdingsOf(reference)).toHaveLength(0);

    // The preview answers only the archive the request asks for.
    expect((await support.get(`/admin/demandes/${reference}/apercu?kind=portability`)).status).toBe(409);

    // In English too.
    await support.get("/langue?to=en&back=/");
    const page = await preview(support, reference, "access");
    expect(page.text).toContain(`Preview of the access archive — ${reference}`);
    expect(page.text).toContain("No withholding has been proposed.");
    const english = await propose(support, reference, { connectorId: "survey", dataset: "answers", key: "no-such-record" });
    expect(english.status).toBe(400);
    expect(textOf(await english.text())).toContain("This item is not in the gathered data");
  });

  it("two DPOs deciding at once decide once; a withdrawn proposal no longer blocks and takes nothing out", async () => {
    const { reference, support } = await gatheredCorinne(["access"]);
    const key = (await preview(support, reference, "access")).shown.datasets.get("survey:answers")![0]!.key;
    expect((await propose(support, reference, { connectorId: "survey", dataset: "answers", key })).status).toBe(302);
    const [w] = await withholdingsOf(reference);
    const [a, b] = [await signedIn(app, "dpo"), await signedIn(app, "dpo")];
    const answers = await Promise.all([
      a.browser.post(`/admin/demandes/${reference}/apercu`, { intent: "withhold-approve", id: String(w!.id), kind: "access" }),
      b.browser.post(`/admin/demandes/${reference}/apercu`, { intent: "withhold-reject", id: String(w!.id), kind: "access" }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([302, 409]);
    const decisions = (await auditActions(reference)).filter((x) => x.action === "withholding.approved" || x.action === "withholding.rejected");
    expect(decisions).toHaveLength(1);

    // Whatever was decided, support who proposed it withdraws it; the DPO publishes the whole copy, with no word of a withholding.
    expect((await support.post(`/admin/demandes/${reference}/apercu`, { intent: "withhold-withdraw", id: String(w!.id), kind: "access" })).status).toBe(decisions[0]!.action === "withholding.approved" ? 302 : 409);
    expect(["withdrawn", "rejected"]).toContain((await withholdingsOf(reference))[0]!.state);
    expect((await a.browser.post(`/admin/demandes/${reference}`, { intent: "release-access", confirmed: "1" })).status).toBe(302);
    const archive = (await first(app.db().select().from(archives).where(eq(archives.requestId, (await ticketRow(reference)).id))))!;
    const zip = await downloadArchive(app, CORINNE, archive.id);
    expect(textOf(zip.get("LISEZ-MOI.html")!.toString("utf8"))).not.toContain("Ce que nous avons retiré");

    // The DPO's own proposal is approved at once (ADR 0016), and says so.
    const own = await a.browser.post(`/admin/demandes/${reference}/apercu?kind=access`, { intent: "withhold-propose", kind: "access", scope: "access", connectorId: "survey", dataset: "answers", key, ground: "others_rights" });
    expect(own.status).toBe(302);
    expect((await withholdingsOf(reference)).at(-1)!.state).toBe("approved");
    expect(textOf(await (await a.browser.follow(own)).text())).toContain("L'élément est retiré de l'archive");
  });
});

describe("what a withholding takes out, and what the letter may say of it", () => {
  const row = (over: Partial<WithholdingRow>): WithholdingRow => ({
    id: 1, requestId: 1, connectorId: "survey", dataset: "answers", itemKey: "7", field: "", fileName: "", scope: "both", ground: "others_rights",
    explanation: null, note: "", state: "approved", proposedBy: 1, proposedAt: new Date(), decidedBy: 1, decidedAt: new Date(), withdrawnBy: null, withdrawnAt: null, ...over,
  });
  const record = (key: string, fields: Record<string, string>, portability?: Record<string, "provided" | "observed" | "context">) =>
    ({ connectorId: "survey", dataset: "answers", key, fields, providedBySubject: [], ...(portability && { portability }) });
  const gathered = (records: ReturnType<typeof record>[]) => ({ records, files: [], anomalies: [], matches: [] });

  it("an English request's letter says the same in English", () => {
    const text = textOf(withheldSection([{ what: "record", ground: "others_rights", explanation: null, connectorId: "survey", dataset: "respondents", system: "Market research" }, { what: "file", ground: "other", explanation: "A third party's voice is heard.", connectorId: "recordings", dataset: "recordings", system: "Call recordings" }], "en", "access"));
    expect(text).toContain("We removed 2 items from this archive.");
    expect(text).toContain('A whole record from the system "Market research": it also concerns another person, and giving it to you would adversely affect their rights and freedoms (Article 15(4) GDPR).');
    expect(text).toContain('A file from the system "Call recordings": A third party\'s voice is heard.');
    expect(textOf(withheldSection([{ what: "field", ground: "trade_secret", explanation: null, connectorId: "survey", dataset: "respondents", system: "Market research" }], "en", "portability"))).toContain("We removed one item from this archive.");
  });

  it("an item a new search no longer finds removes nothing and is not told", () => {
    const { gathered: out, applied } = applyWithholdings(gathered([record("8", { answer: "Facebook" })]), [row({ itemKey: "7" })], "access");
    expect(out.records).toHaveLength(1);
    expect(applied).toEqual([]);
  });

  it("a field the portability archive would not hold anyway is not told as withheld there, but is in the access copy", () => {
    const r = record("7", { answer: "Facebook", agentNote: "rappeler" }, { answer: "provided" });
    expect(applyWithholdings(gathered([r]), [row({ field: "agentNote" })], "portability").applied).toEqual([]);
    const access = applyWithholdings(gathered([r]), [row({ field: "agentNote" })], "access");
    expect(access.applied).toEqual([{ what: "field", connectorId: "survey", dataset: "answers", ground: "others_rights", explanation: null }]);
    expect(access.gathered.records[0]!.fields).toEqual({ answer: "Facebook" });
  });
});
