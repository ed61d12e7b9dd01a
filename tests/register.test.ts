import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../db/schema/audit";
import { processingOperationHistory, processingOperations } from "../db/schema/register";
import { seedRegister } from "../scripts/seed-register";
import { verifyChain } from "../app/services/audit.server";
import { art15Information, createOperation, updateOperation } from "../app/services/register.server";
import { DomainError } from "../app/services/errors";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { signedIn } from "./helpers/staff";
import { operationForm } from "./helpers/register";
import { first } from "../app/utils/db.server";

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
  expect(await seedRegister(app.db(), new Date())).toBeGreaterThanOrEqual(7);
});
afterAll(async () => {
  await app?.stop();
});

const ROLES = ["admin", "dpo", "support", "agent"] as const;

async function operation(code: string) {
  return (await first(app.db().select().from(processingOperations).where(eq(processingOperations.code, code))))!;
}

async function historyOf(code: string) {
  const op = await operation(code);
  return await app.db().select().from(processingOperationHistory).where(eq(processingOperationHistory.operationId, op.id));
}

async function registerAudit() {
  return await app.db().select().from(auditLog).where(eq(auditLog.action, "register.updated")).orderBy(asc(auditLog.seq));
}

/** The edit form as the page fills it, with some fields overridden. */
const formFor = async (code: string, overrides: Record<string, string> = {}) => operationForm(await operation(code), overrides);

describe("the seeded register", () => {
  it("is seeded once: a second run writes nothing", async () => {
    expect(await seedRegister(app.db(), new Date())).toBe(0);
    const codes = (await app.db().select({ code: processingOperations.code }).from(processingOperations)).map((r) => r.code);
    expect(codes).toEqual(expect.arrayContaining(["OP-01", "OP-02", "OP-03", "OP-04", "OP-05", "OP-06", "OP-07"]));
    const op1 = await operation("OP-01");
    expect(op1.retentionDays).toBe(25);
    expect(op1.datasets).toEqual(["recordings:calls"]);
    expect(op1.recipients).toContain("Client (ex. Osiris) et service interne de CentreCall");
  });

  it("gives the Art. 15 information of the operations on the datasets found, plus the request handling", async () => {
    const found = (await art15Information(app.db(), ["recordings:calls"])).map((e) => e.code);
    expect(found).toEqual(["OP-01", "OP-05", "OP-07"]);
    const all = await art15Information(app.db());
    expect(all.length).toBeGreaterThanOrEqual(7);
    const op1 = all.find((e) => e.code === "OP-01")!;
    expect(Object.keys(op1).sort()).toEqual(["code", "dataCategories", "datasets", "legalBasis", "name", "processors", "purpose", "recipients", "retention", "source", "transfers"]);
    expect(op1.purpose).toContain("Preuve de l'appel");
  });
});

describe("reading the register", () => {
  it.each(ROLES)("lets a %s read the list and OP-01", async (role) => {
    const { browser } = await signedIn(app, role);
    const list = await browser.get("/admin/registre");
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    const listText = textOf(listHtml);
    expect(listText).toContain("Registre des traitements");
    expect(listText).toContain("Enregistrement d'un appel téléphonique");
    expect(listText).toContain("Preuve de l'appel");
    expect(listHtml).toContain('<th scope="col">');
    expect(listHtml).toContain('href="/admin/registre/OP-01"');

    const detail = await browser.get("/admin/registre/OP-01");
    expect(detail.status).toBe(200);
    const html = await detail.text();
    const text = textOf(html);
    expect(html).toMatch(/<h1>OP-01 — Enregistrement d(&#x27;|')un appel téléphonique<\/h1>/);
    expect(text).toContain("Preuve de l'appel");
    expect(text).toContain("Client (ex. Osiris) et service interne de CentreCall");
    expect(text).toContain("Prospects et personnes interrogées");
    expect(text).toContain("recordings:calls");
    const canEdit = role === "dpo" || role === "admin";
    expect(html.includes('name="retentionDays"')).toBe(canEdit);
    if (!canEdit) expect(text).toContain("Seuls le DPO et les administrateurs peuvent modifier le registre.");
  });

  it("answers 404 for an unknown operation", async () => {
    const { browser } = await signedIn(app, "support");
    expect((await browser.get("/admin/registre/OP-99")).status).toBe(404);
  });

  it("sends anonymous visitors to the sign-in page", async () => {
    const res = await app.browser().get("/admin/registre");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/admin/connexion");
  });

  it("speaks French by default and English once the lang cookie says so", async () => {
    const { browser } = await signedIn(app, "agent", "lille");
    expect(textOf(await (await browser.get("/admin/registre")).text())).toContain("Durée de conservation");
    const switched = await browser.get("/langue?to=en&back=/admin/registre");
    expect(switched.status).toBe(302);
    expect(switched.headers.get("location")).toBe("/admin/registre");
    const html = await (await browser.get("/admin/registre")).text();
    expect(html).toContain('<html lang="en"');
    const text = textOf(html);
    expect(text).toContain("Processing register");
    expect(text).toContain("Retention period");
    expect(text).toContain("25 days");
    expect(text).not.toContain("Durée de conservation");
    const detail = textOf(await (await browser.get("/admin/registre/OP-01")).text());
    expect(detail).toContain("Version history");
    expect(detail).toContain("Only the DPO and administrators can change the register.");
  });
});

describe("editing the register", () => {
  it("lets the DPO change OP-01's retention: new version, previous one in the history, audited", async () => {
    const { browser, id } = await signedIn(app, "dpo");
    const before = await operation("OP-01");
    const auditBefore = (await registerAudit()).length;
    const res = await browser.post(
      "/admin/registre/OP-01",
      await formFor("OP-01", { retentionDays: "30", retention: "30 jours à compter de l'appel, puis suppression automatique ; jamais plus de 6 mois." }),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/admin/registre/OP-01?fait=modifie");

    const after = await operation("OP-01");
    expect(after.version).toBe(before.version + 1);
    expect(after.retentionDays).toBe(30);
    expect(after.updatedBy).toBe(id);
    expect(after.purpose).toBe(before.purpose);

    const history = await historyOf("OP-01");
    const previous = history.find((h) => h.version === before.version)!;
    expect(previous.changedBy).toBe(id);
    expect(previous.snapshot).toMatchObject({ retentionDays: 25, retention: before.retention, version: before.version });

    const page = await browser.follow(res);
    expect(page.status).toBe(200);
    const html = await page.text();
    const text = textOf(html);
    expect(text).toContain(`Opération mise à jour (version ${after.version}).`);
    expect(text).toContain("Historique des versions");
    expect(html).toContain(`data-version="${before.version}"`);
    expect(text).toContain(`Version ${before.version}`);
    expect(text).toContain("25 jours"); // the previous version's content
    expect(text).toContain("30 jours");
    expect(text).toContain("Durée de conservation en jours"); // named as changed

    const entries = await registerAudit();
    expect(entries.length).toBe(auditBefore + 1);
    const entry = entries.at(-1)!;
    expect(entry.actorId).toBe(id);
    expect(entry.reference).toBeNull();
    expect(entry.details).toEqual({ code: "OP-01", version: after.version, fields: ["retention", "retentionDays"] });
    expect((await verifyChain(app.db())).ok).toBe(true);
  });

  it("lets an administrator edit too, and a save with nothing changed keeps the version", async () => {
    const { browser } = await signedIn(app, "admin");
    const before = await operation("OP-06");
    const auditBefore = (await registerAudit()).length;
    const same = await browser.post("/admin/registre/OP-06", await formFor("OP-06"));
    expect(same.headers.get("location")).toBe("/admin/registre/OP-06?fait=inchange");
    expect((await operation("OP-06")).version).toBe(before.version);
    expect((await registerAudit()).length).toBe(auditBefore);

    const res = await browser.post("/admin/registre/OP-06", await formFor("OP-06", { recipients: "Entreprise cliente (responsable du traitement)\n\n  Call managers de CentreCall  " }));
    expect(res.status).toBe(302);
    expect((await operation("OP-06")).recipients).toEqual(["Entreprise cliente (responsable du traitement)", "Call managers de CentreCall"]);
  });

  it.each(["support", "agent"] as const)("refuses a %s's change with 403 and changes nothing", async (role) => {
    const { browser } = await signedIn(app, role);
    const before = await operation("OP-01");
    const historyBefore = (await historyOf("OP-01")).length;
    const auditBefore = (await registerAudit()).length;
    const res = await browser.post("/admin/registre/OP-01", await formFor("OP-01", { retentionDays: "90" }));
    expect(res.status).toBe(403);
    expect(textOf(await res.text())).toContain("Votre rôle ne permet pas cette action.");
    expect(await operation("OP-01")).toEqual(before);
    expect((await historyOf("OP-01")).length).toBe(historyBefore);
    expect((await registerAudit()).length).toBe(auditBefore);
    // even invalid input is refused for the role first, not validated
    expect((await browser.post("/admin/registre/OP-01", { retentionDays: "200" })).status).toBe(403);
  });

  it("refuses keeping call recordings for more than 6 months, with the message next to the field", async () => {
    const { browser } = await signedIn(app, "dpo");
    const before = await operation("OP-01");
    const auditBefore = (await registerAudit()).length;
    const res = await browser.post("/admin/registre/OP-01", await formFor("OP-01", { retentionDays: "200" }));
    expect(res.status).toBe(400);
    const html = await res.text();
    const text = textOf(html);
    expect(text).toContain("Les enregistrements d'appels ne peuvent pas être conservés plus de 6 mois : indiquez une durée entre 1 et 183 jours.");
    expect(html).toMatch(/<input[^>]*id="retentionDays"[^>]*aria-invalid="true"[^>]*aria-describedby="retentionDays-hint retentionDays-error"/);
    expect(html).toContain('id="retentionDays-error"');
    expect(html).toMatch(/id="retentionDays"[^>]*value="200"/); // what was typed is kept
    expect(await operation("OP-01")).toEqual(before);
    expect((await registerAudit()).length).toBe(auditBefore);

    // 183 days (six months) is the ceiling, and it is allowed
    const ok = await browser.post("/admin/registre/OP-01", await formFor("OP-01", { retentionDays: "183" }));
    expect(ok.status).toBe(302);
    expect((await operation("OP-01")).retentionDays).toBe(183);
  });

  it("applies the recordings ceiling to any operation that holds recordings", async () => {
    const { browser } = await signedIn(app, "dpo");
    expect((await operation("OP-03")).retentionDays).toBe(1095);
    const res = await browser.post("/admin/registre/OP-03", await formFor("OP-03", { datasets: "sql-survey:respondents\nrecordings:calls" }));
    expect(res.status).toBe(400);
    expect(textOf(await res.text())).toContain("ne peuvent pas être conservés plus de 6 mois");
    const none = await browser.post("/admin/registre/OP-05", await formFor("OP-05", { retentionDays: "" }));
    expect(none.status).toBe(400);
    expect(textOf(await none.text())).toContain("Les enregistrements d'appels doivent avoir une durée de conservation en jours");
    expect((await operation("OP-03")).datasets).toEqual(["sql-survey:respondents"]);
  });

  it("answers 400, never 500, to missing or malformed fields", async () => {
    const { browser } = await signedIn(app, "dpo");
    const before = await operation("OP-02");
    const empty = await browser.post("/admin/registre/OP-02", {});
    expect(empty.status).toBe(400);
    const emptyText = textOf(await empty.text());
    expect(emptyText).toContain("Certaines informations ne sont pas valides");
    expect(emptyText).toContain("Ce champ est obligatoire.");
    const bad = await browser.post("/admin/registre/OP-02", await formFor("OP-02", { retentionDays: "deux ans", datasets: "Survey Answers" }));
    expect(bad.status).toBe(400);
    const badText = textOf(await bad.text());
    expect(badText).toContain("Indiquez un nombre entier de jours.");
    expect(badText).toContain("Chaque jeu de données s'écrit connecteur:jeu");
    expect(await operation("OP-02")).toEqual(before);
    expect((await browser.post("/admin/registre/OP-99", await formFor("OP-02"))).status).toBe(404);
  });

  it("does not overwrite a version saved by someone else in between", async () => {
    const { browser } = await signedIn(app, "dpo");
    const stale = await formFor("OP-04", { retentionDays: "20" });
    expect((await browser.post("/admin/registre/OP-04", await formFor("OP-04", { retentionDays: "15" }))).status).toBe(302);
    const res = await browser.post("/admin/registre/OP-04", stale);
    expect(res.status).toBe(409);
    const html = await res.text();
    // React 18.3's stream writer flushed its whole 2 KiB buffer when a multi-byte letter did not fit, NULs
    // included: this page's "opération" straddled one (patches/react-dom+18.3.1.patch).
    expect(html).not.toContain("\0");
    const body = textOf(html);
    expect(body).toContain("Quelqu'un a modifié cette opération pendant votre saisie.");
    expect((await operation("OP-04")).retentionDays).toBe(15);
  });

  it("refuses a mutation without an Origin header (CSRF)", async () => {
    const { browser } = await signedIn(app, "dpo");
    const before = await operation("OP-07");
    const res = await browser.post("/admin/registre/OP-07", await formFor("OP-07", { retentionDays: "10" }), { origin: null });
    expect(res.status).toBe(403);
    expect(await operation("OP-07")).toEqual(before);
  });
});

describe("the register service", () => {
  it("creates an operation for the DPO only, and audits it", async () => {
    const { id } = await signedIn(app, "dpo");
    const input = {
      code: "op-09",
      name: "Vidéosurveillance des locaux",
      purpose: "Sécurité des biens et des personnes au siège de Tours.",
      legalBasis: "Intérêt légitime (art. 6, paragraphe 1, point f) du RGPD).",
      dataCategories: "Image",
      personCategories: "Salariés\nVisiteurs",
      recipients: "Service sécurité",
      source: "Caméras",
      retention: "30 jours",
      retentionDays: "30",
      datasets: "",
    };
    const support = { kind: "staff" as const, id, role: "support" as const, site: "tours" as const, email: "s@x", displayName: "s" };
    await expect(createOperation({ ctx: { db: app.db(), now: new Date(), actor: support }, input })).rejects.toThrow(DomainError);
    const dpo = { ...support, role: "dpo" as const };
    expect(await createOperation({ ctx: { db: app.db(), now: new Date(), actor: dpo }, input })).toEqual({ code: "OP-09", version: 1 });
    expect((await operation("OP-09")).personCategories).toEqual(["Salariés", "Visiteurs"]);
    expect((await registerAudit()).at(-1)!.details).toMatchObject({ code: "OP-09", version: 1, created: true });
    try {
      await createOperation({ ctx: { db: app.db(), now: new Date(), actor: dpo }, input });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: "invalid_input", detail: { field: "code", issue: "code_taken" } });
    }
    try {
      await updateOperation({ ctx: { db: app.db(), now: new Date(), actor: dpo }, code: "OP-08", input: { ...input, datasets: "recordings:calls", retentionDays: 400 } });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: "invalid_input", detail: { field: "retentionDays", issue: "recording_retention_max" } });
    }
  });
});
