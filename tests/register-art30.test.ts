import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../db/schema/audit";
import { processingOperationHistory, processingOperations, registerClientHistory, registerClients } from "../db/schema/register";
import { seedRegister } from "../scripts/seed-register";
import { verifyChain } from "../app/services/audit.server";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { csvRows } from "./helpers/csv";
import { signedIn } from "./helpers/staff";
import { operationForm } from "./helpers/register";
import { first } from "../app/utils/db.server";

/**
 * Issue 15, item 3: the register as Art. 30 asks for it, through the back
 * office on the production build: CentreCall's role per operation (a
 * processor names a client of the register), the other Art. 30(1) fields
 * shown and edited, the Art. 30(1)(a) header, the clients and CentreCall's
 * Art. 30(2) record for those it is processor for, and both records as CSV
 * files in the columns of the CNIL's model register.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
  expect(await seedRegister(app.db(), new Date())).toBeGreaterThanOrEqual(8);
});
afterAll(async () => {
  await app?.stop();
});

const CNIL_COLUMNS = [
  "Nom / sigle",
  "N° / Réf",
  "Date de création",
  "Mise à jour",
  "Responsable du traitement",
  "Délégué à la protection des données",
  "Représentant",
  "Responsables conjoints",
  "Rôle de l'organisme",
  "Finalité(s)",
  "Base légale",
  "Catégories de personnes concernées",
  "Catégories de données",
  "Données sensibles",
  "Source des données",
  "Durée de conservation",
  "Catégories de destinataires",
  "Sous-traitants",
  "Transferts hors UE (destinataire, pays, garanties)",
  "Mesures de sécurité",
];

async function operation(code: string) {
  return (await first(app.db().select().from(processingOperations).where(eq(processingOperations.code, code))))!;
}
async function client(code: string) {
  return (await first(app.db().select().from(registerClients).where(eq(registerClients.code, code))))!;
}
async function auditOf(action: string) {
  return await app.db().select().from(auditLog).where(eq(auditLog.action, action)).orderBy(asc(auditLog.seq));
}

/** The edit form as the page fills it, with some fields overridden. */
const formFor = async (code: string, overrides: Record<string, string> = {}) => operationForm(await operation(code), overrides);

/** The client form as its page fills it. */
async function clientFormFor(code: string, overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const c = await client(code);
  return {
    expectedVersion: String(c.version),
    name: c.name,
    aliases: c.aliases.join("\n"),
    contactEmail: c.contactEmail,
    address: c.address,
    dpoContact: c.dpoContact,
    processingCategories: c.processingCategories.join("\n"),
    transfers: c.transfers.map((t) => `${t.recipient} ; ${t.country} ; ${t.safeguard}`).join("\n"),
    securityMeasures: c.securityMeasures.join("\n"),
    ...overrides,
  };
}

async function csvOf(res: Response) {
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  return csvRows(Buffer.from(await res.arrayBuffer()), ";");
}

describe("the register's index", () => {
  it("opens with the Art. 30(1)(a) facts from organisation.config.json and shows each operation's role", async () => {
    const { browser } = await signedIn(app, "agent", "lille");
    const html = await (await browser.get("/admin/registre")).text();
    const text = textOf(html);
    expect(text).toContain("Responsable du traitement et délégué à la protection des données");
    expect(html).toMatch(/data-fact="controller"><strong>CentreCall<\/strong>, SAS au capital de 1 000 000 €, RCS Tours 391 000 000/);
    expect(text).toContain("Représenté par : Présidente de CentreCall");
    expect(text).toContain("10, rue de la Préfecture 37000 Tours France");
    expect(html).toContain('href="mailto:dpo@centrecall.example"');
    expect(text).toContain("Aucun : le responsable du traitement est établi dans l'Union européenne.");
    expect(html).toMatch(/<tr data-code="OP-06">[\s\S]*?data-role="processor"[\s\S]*?href="\/admin\/registre\/clients\/NEVA"[^>]*>Sous-traitant pour le compte de Neva Assurances</);
    expect(html).toMatch(/<tr data-code="OP-01">[\s\S]*?data-role="controller">Responsable du traitement</);
    expect(html).toContain('href="/admin/registre.csv"');
    expect(html).toContain('href="/admin/registre/clients.csv"');
    expect(html).toContain('href="/admin/registre/clients"');
  });

  it("says it in English too", async () => {
    const { browser } = await signedIn(app, "support");
    await browser.get("/langue?to=en&back=/admin/registre");
    const text = textOf(await (await browser.get("/admin/registre")).text());
    expect(text).toContain("Controller and data protection officer");
    expect(text).toContain("None: the controller is established in the European Union.");
    expect(text).toContain("Processor on behalf of Neva Assurances");
    expect(text).not.toContain("Sous-traitant pour le compte");
  });
});

describe("an operation's Art. 30(1) fields", () => {
  it("are all shown on the operation's page, and the form offers the role and the client as choices", async () => {
    const { browser } = await signedIn(app, "dpo");
    const html = await (await browser.get("/admin/registre/OP-01")).text();
    const text = textOf(html);
    expect(text).toContain("Rôle de CentreCall");
    expect(html).toMatch(/data-field="processors"[^>]*><ul><li>Prestataire de téléphonie hébergeant les fichiers audio/);
    expect(html).toMatch(/data-field="transfers"[^>]*>Aucun transfert hors de l(&#x27;|')Union européenne</);
    expect(html).toMatch(/data-field="securityMeasures"[^>]*><ul><li>Écoute et export des enregistrements réservés/);
    expect(html).toMatch(/data-field="sensitiveData"[^>]*>Aucune donnée sensible n(&#x27;|')est recherchée/);
    expect(html).toMatch(/data-field="jointControllers"[^>]*>Aucun</);
    // the role is a choice of three, the client a select of the register's clients
    expect(html).toMatch(/<input type="radio" id="role-controller" name="role" checked="" value="controller"/);
    expect(html).toContain('id="role-processor"');
    expect(html).toContain('id="role-joint_controller"');
    expect(html).toMatch(/<select id="controllerClient" name="controllerClient"/);
    expect(html).toContain('<option value="NEVA">Neva Assurances (NEVA)</option>');
    expect(text).toContain("destinataire ; pays ; garantie");

    const op6 = await (await browser.get("/admin/registre/OP-06")).text();
    expect(op6).toMatch(/data-field="role" data-role="processor"><a [^>]*href="\/admin\/registre\/clients\/NEVA"[^>]*>Sous-traitant pour le compte de Neva Assurances</);
    expect(op6).toMatch(/<option value="NEVA" selected="">Neva Assurances \(NEVA\)<\/option>/);
  });

  it("refuses a processor without a client, or with a client the register does not know: 400, the message next to the select", async () => {
    const { browser } = await signedIn(app, "dpo");
    const before = await operation("OP-02");
    const auditBefore = (await auditOf("register.updated")).length;

    const none = await browser.post("/admin/registre/OP-02", await formFor("OP-02", { role: "processor", controllerClient: "" }));
    expect(none.status).toBe(400);
    expect(textOf(await none.text())).toContain("Choisissez le client pour le compte duquel CentreCall est sous-traitant.");

    const unknown = await browser.post("/admin/registre/OP-02", await formFor("OP-02", { role: "processor", controllerClient: "ACME-INCONNU" }));
    expect(unknown.status).toBe(400);
    const html = await unknown.text();
    expect(textOf(html)).toContain("Ce client n'existe pas dans le registre : ajoutez-le d'abord parmi les clients.");
    expect(html).toMatch(/<select id="controllerClient"[^>]*aria-invalid="true"[^>]*aria-describedby="controllerClient-hint controllerClient-error"/);
    expect(html).toContain('id="controllerClient-error"');
    expect(html).toMatch(/<input type="radio" id="role-processor" name="role" checked="" value="processor"/); // what was chosen is kept
    expect(await operation("OP-02")).toEqual(before);
    expect((await auditOf("register.updated")).length).toBe(auditBefore);

    // garbage role: a 400 with a message, never a 500
    const garbage = await browser.post("/admin/registre/OP-02", await formFor("OP-02", { role: "owner" }));
    expect(garbage.status).toBe(400);
    expect(textOf(await garbage.text())).toContain("Rôle de CentreCall : Valeur invalide.");
  });

  it("records CentreCall as processor for a known client, and drops the client when the role goes back to controller", async () => {
    const { browser, id } = await signedIn(app, "dpo");
    const v = (await operation("OP-02")).version;
    const res = await browser.post("/admin/registre/OP-02", await formFor("OP-02", { role: "processor", controllerClient: "osiris" }));
    expect(res.status).toBe(302);
    expect(await operation("OP-02")).toMatchObject({ role: "processor", controllerClient: "OSIRIS", version: v + 1, updatedBy: id });
    expect((await auditOf("register.updated")).at(-1)!.details).toEqual({ code: "OP-02", version: v + 1, fields: ["role", "controllerClient"] });

    const page = await browser.follow(res);
    const html = await page.text();
    expect(html).toMatch(/data-field="role" data-role="processor"><a [^>]*href="\/admin\/registre\/clients\/OSIRIS"[^>]*>Sous-traitant pour le compte d(&#x27;|')Osiris</);
    // the history names the fields changed and keeps the version as it was
    expect(textOf(html)).toMatch(/Version 1 .* Rôle de CentreCall, Client responsable du traitement \(si sous-traitant\)/);
    expect(html).toMatch(/<tr data-version="1">[\s\S]*?data-role="controller">Responsable du traitement</);

    const back = await browser.post("/admin/registre/OP-02", await formFor("OP-02", { role: "controller", controllerClient: "OSIRIS" }));
    expect(back.status).toBe(302);
    expect(await operation("OP-02")).toMatchObject({ role: "controller", controllerClient: null });
  });

  it("reads transfers one per line and refuses a line that is not recipient ; country ; safeguard", async () => {
    const { browser } = await signedIn(app, "admin");
    const before = await operation("OP-05");
    for (const bad of ["Hébergeur Nimbus ; États-Unis", "Hébergeur Nimbus ; États-Unis ; ", "Hébergeur Nimbus, États-Unis, CCT"]) {
      const res = await browser.post("/admin/registre/OP-05", await formFor("OP-05", { transfers: bad }));
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(textOf(html)).toContain("Chaque ligne s'écrit destinataire ; pays ; garantie, les trois parties remplies.");
      expect(html).toMatch(/<textarea[^>]*id="transfers"[^>]*aria-invalid="true"/);
    }
    expect(await operation("OP-05")).toEqual(before);

    const typed = "Éditeur de l'outil d'évaluation Nimbus ; États-Unis ; Décision d'adéquation (Data Privacy Framework)\n\n  Support Nimbus   ; Inde ; Clauses contractuelles types de la Commission européenne  ";
    const ok = await browser.post("/admin/registre/OP-05", await formFor("OP-05", { transfers: typed, sensitiveData: "Aucune donnée sensible n'est traitée." }));
    expect(ok.status).toBe(302);
    expect((await operation("OP-05")).transfers).toEqual([
      { recipient: "Éditeur de l'outil d'évaluation Nimbus", country: "États-Unis", safeguard: "Décision d'adéquation (Data Privacy Framework)" },
      { recipient: "Support Nimbus", country: "Inde", safeguard: "Clauses contractuelles types de la Commission européenne" },
    ]);
    const entry = (await auditOf("register.updated")).at(-1)!;
    expect(entry.details).toEqual({ code: "OP-05", version: before.version + 1, fields: ["transfers", "sensitiveData"] });
    expect(JSON.stringify(entry.details)).not.toContain("Nimbus"); // names of fields, never their text

    const html = await (await browser.follow(ok)).text();
    const text = textOf(html);
    expect(text).toContain("Support Nimbus — Inde — garantie : Clauses contractuelles types de la Commission européenne");
    expect(text).toContain("Transferts hors de l'Union européenne, Données sensibles"); // named as changed in the history
    expect(html).toMatch(/<tr data-version="1">[\s\S]*?data-field="transfers"[^>]*>Aucun transfert hors de l(&#x27;|')Union européenne</);
    // the form gives the transfers back in the format it reads
    expect(html).toContain("Support Nimbus ; Inde ; Clauses contractuelles types de la Commission européenne</textarea>");
  });
});

describe("the clients and the Art. 30(2) record", () => {
  it.each(["admin", "dpo", "support", "agent"] as const)("lists the clients for a %s, with the ones CentreCall is processor for", async (role) => {
    const { browser } = await signedIn(app, role);
    const res = await browser.get("/admin/registre/clients");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<tr data-client="NEVA">[\s\S]*?Neva Assurances[\s\S]*?data-processor="yes">Oui \(OP-06\)</);
    expect(html).toMatch(/<tr data-client="OSIRIS">[\s\S]*?data-processor="no">Non</);
    expect(html.includes('name="contactEmail"')).toBe(role === "dpo" || role === "admin");
  });

  it("shows Neva's page as CentreCall's Art. 30(2) record: both parties and their DPOs, the processing, transfers and security", async () => {
    const { browser } = await signedIn(app, "support");
    const html = await (await browser.get("/admin/registre/clients/NEVA")).text();
    const text = textOf(html);
    expect(html).toContain('data-record="art30-2"');
    expect(text).toContain("Registre des traitements effectués pour le compte de ce client (article 30, paragraphe 2)");
    expect(html).toMatch(/data-party="processor"><strong>CentreCall<\/strong>/);
    expect(html).toMatch(/data-party="processor-dpo">[\s\S]*?dpo@centrecall\.example/);
    expect(html).toMatch(/data-party="controller"><strong>Neva Assurances<\/strong>[\s\S]*?dpo@client-crm\.example/);
    expect(html).toMatch(/data-party="controller-dpo">Délégué à la protection des données de Neva Assurances/);
    expect(html).toMatch(/data-field="record-categories"[\s\S]*?Accueil téléphonique de ses usagers[\s\S]*?OP-06 — Gestion de la relation client \(CRM\)/);
    expect(html).toMatch(/data-field="record-operations"[\s\S]*?href="\/admin\/registre\/OP-06"/);
    expect(html).toMatch(/data-field="record-transfers"[^>]*>Aucun transfert hors de l(&#x27;|')Union européenne</);
    expect(html).toMatch(/data-field="record-security"[\s\S]*?API du CRM en HTTPS/);
    expect(text).toContain("Seuls le DPO et les administrateurs peuvent modifier les clients.");

    const osiris = await (await browser.get("/admin/registre/clients/OSIRIS")).text();
    expect(osiris).toContain('data-record="none"');
    expect(textOf(osiris)).toContain("CentreCall n'est pas le sous-traitant de ce client");
    expect((await browser.get("/admin/registre/clients/NOBODY")).status).toBe(404);
  });

  it.each(["support", "agent"] as const)("refuses a %s's change to a client with 403, changing and journalling nothing", async (role) => {
    const { browser } = await signedIn(app, role);
    const before = await client("NEVA");
    const auditBefore = (await auditOf("register.client_updated")).length;
    const res = await browser.post("/admin/registre/clients/NEVA", await clientFormFor("NEVA", { contactEmail: "pirate@evil.example" }));
    expect(res.status).toBe(403);
    expect(await client("NEVA")).toEqual(before);
    const created = await browser.post("/admin/registre/clients", { ...(await clientFormFor("NEVA")), code: "EVIL", aliases: "Evil" });
    expect(created.status).toBe(403);
    expect(await client("EVIL")).toBeUndefined();
    expect((await auditOf("register.client_updated")).length).toBe(auditBefore);
  });

  it("lets the DPO change a client: a new version, the old one in the history, journalled by field names only", async () => {
    const { browser, id } = await signedIn(app, "dpo");
    const before = await client("NEVA");
    const res = await browser.post(
      "/admin/registre/clients/NEVA",
      await clientFormFor("NEVA", { transfers: "Prestataire de sauvegarde Glacier ; Suisse ; Décision d'adéquation de la Commission européenne", contactEmail: "rgpd@neva.example" }),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/admin/registre/clients/NEVA?fait=modifie");
    const after = await client("NEVA");
    expect(after).toMatchObject({ version: before.version + 1, updatedBy: id, contactEmail: "rgpd@neva.example" });
    const history = await app.db().select().from(registerClientHistory).where(eq(registerClientHistory.clientId, before.id));
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ version: before.version, changedBy: id });
    expect(history[0]!.snapshot).toMatchObject({ contactEmail: "dpo@client-crm.example", transfers: [] });

    const entry = (await auditOf("register.client_updated")).at(-1)!;
    expect(entry.actorId).toBe(id);
    expect(entry.details).toEqual({ client: "NEVA", version: after.version, fields: ["contactEmail", "transfers"] });
    expect(JSON.stringify(entry.details)).not.toMatch(/neva\.example|Glacier/);
    expect((await verifyChain(app.db())).ok).toBe(true);

    const html = await (await browser.follow(res)).text();
    const text = textOf(html);
    expect(text).toContain(`Client mis à jour (version ${after.version}).`);
    expect(html).toMatch(/data-field="record-transfers"[\s\S]*?Prestataire de sauvegarde Glacier — Suisse — garantie : Décision d(&#x27;|')adéquation/);
    expect(text).toContain("Adresse pour les demandes et les notifications, Transferts hors de l'Union européenne");
    expect(html).toMatch(/<tr data-version="1">[\s\S]*?dpo@client-crm\.example/);
    expect(textOf(await (await browser.get("/admin/journal")).text())).toContain("Client du registre créé ou modifié");
  });

  it("answers a bad client form with 400 and messages next to the fields, and a stale one with 409", async () => {
    const { browser } = await signedIn(app, "dpo");
    const before = await client("LUMEN");
    const bad = await browser.post("/admin/registre/clients/LUMEN", await clientFormFor("LUMEN", { contactEmail: "pas une adresse", aliases: "" }));
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(textOf(html)).toContain("Indiquez une adresse électronique valide.");
    expect(html).toMatch(/<input[^>]*id="contactEmail"[^>]*aria-invalid="true"/);
    expect(html).toMatch(/<textarea[^>]*id="aliases"[^>]*aria-invalid="true"/);
    // a value naming another client on the records would make the Art. 19 recipient a guess
    const taken = await browser.post("/admin/registre/clients/LUMEN", await clientFormFor("LUMEN", { aliases: "Lumen Énergie\n  osiris " }));
    expect(taken.status).toBe(400);
    expect(textOf(await taken.text())).toContain("Un de ces libellés désigne déjà un autre client");
    const transfers = await browser.post("/admin/registre/clients/LUMEN", await clientFormFor("LUMEN", { transfers: "Nimbus ; États-Unis" }));
    expect(transfers.status).toBe(400);
    expect(await client("LUMEN")).toEqual(before);

    const stale = await clientFormFor("LUMEN", { dpoContact: "Ancien contact" });
    expect((await browser.post("/admin/registre/clients/LUMEN", await clientFormFor("LUMEN", { dpoContact: "DPO de Lumen — dpo@lumen.example" }))).status).toBe(302);
    const conflict = await browser.post("/admin/registre/clients/LUMEN", stale);
    expect(conflict.status).toBe(409);
    expect(textOf(await conflict.text())).toContain("Quelqu'un a modifié ce client pendant votre saisie.");
    expect((await client("LUMEN")).dpoContact).toBe("DPO de Lumen — dpo@lumen.example");
    expect((await browser.post("/admin/registre/clients/NOBODY", await clientFormFor("LUMEN"))).status).toBe(404);
  });

  it("lets the DPO add a client, which an operation can then name as its controller", async () => {
    const { browser } = await signedIn(app, "dpo");
    const form = {
      code: "  arvor ",
      name: "Arvor Mutuelle",
      aliases: "Arvor Mutuelle\nARVOR-2026",
      contactEmail: "dpo@arvor.example",
      address: "Arvor Mutuelle — DPO\n3, quai Duguay-Trouin\n35000 Rennes",
      dpoContact: "Délégué à la protection des données d'Arvor — dpo@arvor.example",
      processingCategories: "Enquêtes de satisfaction auprès de ses adhérents, sur ses instructions",
      transfers: "",
      securityMeasures: "Accès par compte nominatif",
    };
    const bad = await browser.post("/admin/registre/clients", { ...form, code: "Arvor Mutuelle!" });
    expect(bad.status).toBe(400);
    expect(textOf(await bad.text())).toContain("Le code s'écrit en majuscules, chiffres et tirets (ex. NEVA).");
    const res = await browser.post("/admin/registre/clients", form);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/admin/registre/clients/ARVOR?fait=cree");
    expect(await client("ARVOR")).toMatchObject({ name: "Arvor Mutuelle", version: 1, aliases: ["Arvor Mutuelle", "ARVOR-2026"] });
    expect((await auditOf("register.client_updated")).at(-1)!.details).toMatchObject({ client: "ARVOR", version: 1, created: true });
    const page = await browser.follow(res);
    expect(textOf(await page.text())).toContain("Client ARVOR ajouté (version 1).");
    const again = await browser.post("/admin/registre/clients", form);
    expect(again.status).toBe(400);
    expect(textOf(await again.text())).toContain("Cette référence existe déjà.");

    const named = await browser.post("/admin/registre/OP-04", await formFor("OP-04", { role: "processor", controllerClient: "ARVOR" }));
    expect(named.status).toBe(302);
    expect((await operation("OP-04")).controllerClient).toBe("ARVOR");
    const record = await (await browser.get("/admin/registre/clients/ARVOR")).text();
    expect(record).toMatch(/data-field="record-operations"[\s\S]*?OP-04/);
    // put back, so that the export below reads OP-04 as the seed has it
    expect((await browser.post("/admin/registre/OP-04", await formFor("OP-04", { role: "controller", controllerClient: "" }))).status).toBe(302);
  });
});

describe("the register as CSV", () => {
  it("is one row per operation in the CNIL model's columns, semicolon-separated UTF-8 with a BOM, and journalled", async () => {
    const { browser, id } = await signedIn(app, "support");
    // a processor typed like a formula must reach the spreadsheet as text
    const admin = await signedIn(app, "admin");
    expect((await admin.browser.post("/admin/registre/OP-08", await formFor("OP-08", { processors: '=HYPERLINK("http://evil.example";"x")' }))).status).toBe(302);

    const res = await browser.get("/admin/registre.csv");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="registre-des-traitements-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const rows = await csvOf(res);
    expect(rows[0]).toEqual(CNIL_COLUMNS);
    const codes = (await app.db().select({ code: processingOperations.code }).from(processingOperations).orderBy(asc(processingOperations.code))).map((r) => r.code);
    expect(rows.slice(1).map((r) => r[1])).toEqual(codes);
    expect(rows.every((r) => r.length === CNIL_COLUMNS.length)).toBe(true);
    const row = (code: string) => Object.fromEntries(CNIL_COLUMNS.map((c, i) => [c, rows.find((r) => r[1] === code)![i]!]));

    const op6 = row("OP-06");
    expect(op6["Nom / sigle"]).toBe("Gestion de la relation client (CRM) pour le compte des clients");
    expect(op6["Rôle de l'organisme"]).toBe("Sous-traitant pour le compte de Neva Assurances");
    expect(op6["Responsable du traitement"]).toMatch(/^Neva Assurances\n/);
    expect(op6["Délégué à la protection des données"]).toBe("Délégué à la protection des données de Neva Assurances — dpo@client-crm.example");

    const op1 = row("OP-01");
    expect(op1["Rôle de l'organisme"]).toBe("Responsable du traitement");
    expect(op1["Responsable du traitement"]).toMatch(/^CentreCall \(SAS au capital de 1 000 000 €, RCS Tours 391 000 000\), représenté par Présidente de CentreCall\n10, rue de la Préfecture, 37000 Tours, France\n/);
    expect(op1["Délégué à la protection des données"]).toContain("dpo@centrecall.example");
    expect(op1["Représentant"]).toBe("Aucun (responsable établi dans l'Union européenne)");
    expect(op1["Transferts hors UE (destinataire, pays, garanties)"]).toBe("Aucun transfert hors de l'Union européenne");
    expect(op1["Durée de conservation"]).toMatch(/\n\(\d+ jours?\)$/);
    expect(op1["Sous-traitants"]).toContain("Prestataire de téléphonie");
    expect(op1["Catégories de personnes concernées"]).toBe("Prospects et personnes interrogées\nOpérateurs téléphoniques de CentreCall (voix, identifiant)");
    expect(op1["Date de création"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // the transfers typed in the form earlier, one per line, each with its safeguard
    expect(row("OP-05")["Transferts hors UE (destinataire, pays, garanties)"]).toBe(
      "Éditeur de l'outil d'évaluation Nimbus — États-Unis — garantie : Décision d'adéquation (Data Privacy Framework)\nSupport Nimbus — Inde — garantie : Clauses contractuelles types de la Commission européenne",
    );
    expect(row("OP-08")["Sous-traitants"]).toBe(`'=HYPERLINK("http://evil.example";"x")`);

    const entry = (await auditOf("register.exported")).at(-1)!;
    expect(entry.actorId).toBe(id);
    expect(entry.details).toEqual({ record: "operations", rows: codes.length, format: "csv" });
    expect((await verifyChain(app.db())).ok).toBe(true);
  });

  it("has a second file, the Art. 30(2) record, one row per client CentreCall processes data for", async () => {
    const { browser } = await signedIn(app, "agent", "paris");
    const res = await browser.get("/admin/registre/clients.csv");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="registre-sous-traitant-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = await csvOf(res);
    expect(rows[0]![0]).toBe("Client (responsable du traitement)");
    const byCode = new Map(rows.slice(1).map((r) => [r[1], Object.fromEntries(rows[0]!.map((c, i) => [c, r[i]!]))]));
    // Neva (OP-06) and Arvor (categories recorded when it was added); not the survey clients
    expect([...byCode.keys()].sort()).toEqual(["ARVOR", "NEVA"]);
    const neva = byCode.get("NEVA")!;
    expect(neva["Client (responsable du traitement)"]).toBe("Neva Assurances");
    expect(neva["Sous-traitant"]).toBe("CentreCall");
    expect(neva["Délégué à la protection des données du sous-traitant"]).toContain("dpo@centrecall.example");
    expect(neva["Opérations du registre"]).toBe("OP-06");
    expect(neva["Catégories de traitements effectués pour le compte du responsable"]).toContain("OP-06 — Gestion de la relation client (CRM) pour le compte des clients");
    expect(neva["Transferts hors UE (destinataire, pays, garanties)"]).toBe(
      "Prestataire de sauvegarde Glacier — Suisse — garantie : Décision d'adéquation de la Commission européenne",
    );
    expect((await auditOf("register.exported")).at(-1)!.details).toEqual({ record: "clients", rows: 2, format: "csv" });
  });

  it("speaks English when the reader does, and is closed to anonymous visitors", async () => {
    const { browser } = await signedIn(app, "dpo");
    await browser.get("/langue?to=en&back=/admin/registre");
    const rows = await csvOf(await browser.get("/admin/registre.csv"));
    expect(rows[0]!.slice(0, 5)).toEqual(["Name / acronym", "No. / Ref", "Created on", "Updated on", "Controller"]);
    expect(rows.find((r) => r[1] === "OP-06")![8]).toBe("Processor on behalf of Neva Assurances");

    for (const path of ["/admin/registre.csv", "/admin/registre/clients.csv"]) {
      const anon = await app.browser().get(path);
      expect(anon.status).toBe(302);
      expect(anon.headers.get("location")).toBe("/admin/connexion");
    }
  });
});

describe("versions written before the Art. 30 fields existed", () => {
  it("still show in the history, without a 500", async () => {
    const { browser } = await signedIn(app, "dpo");
    const op = await operation("OP-03");
    // a snapshot as the register stored them before issue 15: no role, no transfers…
    const { role: _r, controllerClient: _c, jointControllers: _j, processors: _p, transfers: _t, securityMeasures: _s, sensitiveData: _d, ...old } = {
      ...op,
      updatedAt: op.updatedAt.getTime(),
    };
    await app.db().insert(processingOperationHistory).values({ operationId: op.id, version: 0, snapshot: old, changedAt: new Date(), changedBy: null });
    const res = await browser.get("/admin/registre/OP-03");
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<tr data-version="0">[\s\S]*?data-field="transfers"[^>]*>Aucun transfert/);
  });
});
