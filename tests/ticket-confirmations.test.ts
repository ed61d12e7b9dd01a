import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archives } from "../db/schema/archives";
import { outbox } from "../db/schema/outbox";
import { erasureSteps } from "../db/schema/rights";
import { seedRegister } from "../scripts/seed-register";
import { closeConnectors } from "../app/utils/connectors.server";
import { startApp, textOf, type Browser, type TestApp } from "./helpers/app";
import { controllersInstruct, corinneInPerson, gatherAll, personInPerson, withDemoConnectors } from "./helpers/connectors";
import { fileOne } from "./helpers/requester";
import { signedIn } from "./helpers/staff";
import { ticketRow, verifiedTicket } from "./helpers/tickets";
import { first } from "../app/utils/db.server";

/**
 * Issue 16, items 3, 4, 6 and 7 on the staff ticket page: what cannot be
 * undone asks first and says what it will do for this ticket; the server
 * acts only on the confirmed second POST; the feedback says what happened;
 * actions that do not apply are explained; staff read staff words.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
  await withDemoConnectors(app, { respondents: 40, recordings: 30, realAudio: 4, seed: 5 });
  await seedRegister(app.db(), new Date());
});
afterAll(async () => {
  await closeConnectors();
  await app?.stop();
});

const outboxFor = async (requestId: number) => (await first(app.db().select({ n: count() }).from(outbox).where(eq(outbox.requestId, requestId))))!.n;
const page = async (browser: Browser, reference: string) => textOf(await (await browser.get(`/admin/demandes/${reference}`)).text());
const post = (browser: Browser, reference: string, body: Record<string, string | string[]>) => browser.post(`/admin/demandes/${reference}`, body);
const english = async (browser: Browser) => expect((await browser.get("/langue?to=en&back=/admin")).status).toBe(302);

describe("what cannot be undone asks first", () => {
  it("a refusal posted without confirmation changes nothing and answers what it will do; confirmed, it refuses and says how the person was told", async () => {
    const t = await verifiedTicket();
    const { browser } = await signedIn(app, "dpo");
    const before = await outboxFor(t.id);
    const first = await post(browser, t.reference, { intent: "refuse", reasons: ["excessive"], text: "Troisième demande identique ce mois-ci." });
    expect(first.status).toBe(200);
    const html = await first.text();
    const shown = textOf(html);
    expect(shown).toContain(`Refuser la demande ${t.reference} : le demandeur sera informé par courriel du motif « Demande excessive (notamment répétitive) » ; la demande sera close et ne pourra pas être rouverte.`);
    // The confirmation carries the same fields and confirmed=1; "go back" is a plain link to the ticket.
    expect(html).toContain('name="confirmed" value="1"');
    expect(html).toContain('value="Troisième demande identique ce mois-ci."');
    expect(html).toMatch(new RegExp(`<a href="/admin/demandes/${t.reference}"[^>]*data-confirm-back`));
    expect((await ticketRow(t.reference)).status).toBe("received");
    expect(await outboxFor(t.id)).toBe(before);

    const done = await post(browser, t.reference, { intent: "refuse", reasons: ["excessive"], text: "Troisième demande identique ce mois-ci.", confirmed: "1" });
    expect(done.status).toBe(302);
    expect((await ticketRow(t.reference)).status).toBe("refused");
    expect(await outboxFor(t.id)).toBe(before + 1);
    let after = await page(browser, done.headers.get("location")!.replace(/^\/admin\/demandes\//, ""));
    expect(after).toContain("Demande refusée ; le message au demandeur (par courriel) est en cours d'envoi.");
    expect(after).not.toContain("Action enregistrée");
    await app.deliver();
    after = textOf(await (await browser.get(done.headers.get("location")!)).text());
    expect(after).toMatch(/Demande refusée ; le demandeur a été informé par courriel le \d/);
    // The letters panel and the timeline say it in words too.
    expect(after).toMatch(/Votre demande [^—]+— [^—]+ courriel — envoyé le \d/);
    expect(after).toContain("Demande refusée (motif : Demande excessive (notamment répétitive))");
    // Closed: no action offered but a note, and the page says so.
    expect(after).toContain("Demande close : aucune action n'est plus possible, sauf ajouter une note.");
  });

  it("a refusal without a ground is an error, not a confirmation", async () => {
    const t = await verifiedTicket();
    const { browser } = await signedIn(app, "dpo");
    const res = await post(browser, t.reference, { intent: "refuse", text: "Troisième demande identique ce mois-ci." });
    expect(res.status).toBe(400);
    expect(textOf(await res.text())).not.toContain("Confirmer le refus");
  });

  it("cancel and complete ask first too, then act, in English as well", async () => {
    const t = await verifiedTicket();
    const { browser } = await signedIn(app, "support");
    const first = await post(browser, t.reference, { intent: "cancel" });
    expect(first.status).toBe(200);
    expect(textOf(await first.text())).toContain(`Annuler la demande ${t.reference} à la demande du demandeur : elle sera close sans suite et ne pourra pas être rouverte ; le demandeur en sera informé par courriel.`);
    expect((await ticketRow(t.reference)).status).toBe("received");

    const u = await verifiedTicket();
    await english(browser);
    for (const intent of ["start", "ready"]) expect((await post(browser, u.reference, { intent })).status).toBe(302);
    const before = await outboxFor(u.id);
    const ask = await post(browser, u.reference, { intent: "complete" });
    expect(textOf(await ask.text())).toContain(`Close request ${u.reference} as handled: it can no longer be changed or reopened; the requester will receive by email a summary of what was done.`);
    expect((await ticketRow(u.reference)).status).toBe("ready");
    expect(await outboxFor(u.id)).toBe(before);
    const done = await post(browser, u.reference, { intent: "complete", confirmed: "1" });
    expect(done.status).toBe(302);
    expect((await ticketRow(u.reference)).status).toBe("completed");
    expect(textOf(await (await browser.get(done.headers.get("location")!)).text())).toContain("Request closed as handled; the message to the requester (by email) is being sent.");
  });

  it("a role that may not act gets no confirmation: support cannot refuse", async () => {
    const t = await verifiedTicket();
    const { browser } = await signedIn(app, "support");
    const res = await post(browser, t.reference, { intent: "refuse", reasons: ["excessive"], text: "Troisième demande identique ce mois-ci." });
    expect(res.status).toBe(403);
    expect(textOf(await res.text())).not.toContain("Confirmer le refus");
    expect(await page(browser, t.reference)).toContain("Le refus d'une demande revient au DPO.");
  });
});

describe("archives and erasure ask first, with the counts of this ticket", () => {
  it("support on an access-only ticket is told the access archive is for the DPO and gets no portability button; the DPO's release asks, then releases", async () => {
    const { reference, browser: support } = await corinneInPerson(app, ["access"]);
    await gatherAll(app, support, reference);
    await controllersInstruct(app, support, reference);
    const seen = await page(support, reference);
    expect(seen).toContain("La publication de l'archive d'accès revient au DPO.");
    expect(seen).not.toContain("Préparer et publier l'archive de portabilité");
    expect(seen).not.toContain("Préparer et publier l'archive d'accès");
    // The Retry button has a column of its own.
    expect(await (await support.get(`/admin/demandes/${reference}`)).text()).toContain('<th scope="col">Action</th>');

    const dpo = await signedIn(app, "dpo");
    const id = (await ticketRow(reference)).id;
    const before = await outboxFor(id);
    const ask = await post(dpo.browser, reference, { intent: "release-access" });
    expect(ask.status).toBe(200);
    const text = textOf(await ask.text());
    expect(text).toMatch(new RegExp(`Publier l'archive d'accès \\(art\\. 15\\) de la demande ${reference} : \\d+ enregistrements trouvés dans \\d systèmes, dont \\d+ fichiers? audio\\. Le demandeur sera prévenu par courriel et pourra la télécharger pendant 7 jours`));
    expect(await app.db().select().from(archives).where(eq(archives.requestId, id))).toHaveLength(0);
    expect(await outboxFor(id)).toBe(before);

    const done = await post(dpo.browser, reference, { intent: "release-access", confirmed: "1" });
    expect(done.status).toBe(302);
    expect(await app.db().select().from(archives).where(eq(archives.requestId, id))).toHaveLength(1);
    expect(textOf(await (await dpo.browser.get(done.headers.get("location")!)).text())).toContain("Archive d'accès publiée ; le message au demandeur (par courriel) est en cours d'envoi.");
  });

  it("closing while a client's instructions are awaited is refused at once, not after a confirmation", async () => {
    const { reference, browser: support } = await corinneInPerson(app, ["access"]);
    await gatherAll(app, support, reference);
    for (const intent of ["start", "ready"]) expect((await post(support, reference, { intent })).status).toBe(302);
    const res = await post(support, reference, { intent: "complete" });
    expect(res.status).toBe(409);
    expect(textOf(await res.text())).not.toContain("Confirmer la clôture");
    expect((await ticketRow(reference)).status).toBe("ready");
  });

  it("a search that found nothing offers the no-data answer, never a publish button", async () => {
    const { reference, browser: support } = await personInPerson(app, { lastName: "Inconnue", firstName: "Personne", email: "personne.inconnue@example.org", phone: "06 12 98 76 54", site: "tours" }, ["access", "portability"]);
    await gatherAll(app, support, reference);
    const dpo = await signedIn(app, "dpo");
    // The recordings need a phone number that was never proven: before the DPO says why the answer may go without them, nothing is offered.
    let seen = await page(dpo.browser, reference);
    expect(seen).not.toContain("Préparer et publier l'archive");
    expect(seen).not.toContain("Envoyer la réponse « aucune donnée »");
    expect((await post(dpo.browser, reference, { intent: "gather-waive", connectorId: "recordings", reason: "Numéro non prouvé : la personne n'a pas pu lire le code." })).status).toBe(302);
    seen = await page(dpo.browser, reference);
    expect(seen).toContain("Envoyer la réponse « aucune donnée »");
    expect(seen).not.toContain("Préparer et publier l'archive");
    expect(await page(support, reference)).toContain("La réponse « aucune donnée » est envoyée par le DPO.");
  });

  it("approving an erasure asks first with each system's counts; only the confirmed POST writes the journal of steps", async () => {
    const { reference, browser: support } = await corinneInPerson(app, ["erasure"]);
    await gatherAll(app, support, reference);
    await controllersInstruct(app, support, reference);
    expect((await post(support, reference, { intent: "erasure-plan" })).status).toBe(302);
    const dpo = await signedIn(app, "dpo");
    const ask = await post(dpo.browser, reference, { intent: "erasure-approve" });
    expect(ask.status).toBe(200);
    const text = textOf(await ask.text());
    expect(text).toMatch(new RegExp(`Approuver et lancer l'effacement pour la demande ${reference} : Études de marché : .*\\d+ pseudonymisés? \\(pas effacés?\\)`));
    expect(text).toContain("Enregistrements d'appels : ");
    expect(text).toContain("le certificat sera envoyé au demandeur par courriel");
    expect((await app.db().select().from(erasureSteps)).length).toBe(0);
    // The one who prepared it may not approve it: no confirmation for them either.
    expect((await post(support, reference, { intent: "erasure-approve" })).status).toBe(403);

    const done = await post(dpo.browser, reference, { intent: "erasure-approve", confirmed: "1" });
    expect(done.status).toBe(302);
    expect((await app.db().select().from(erasureSteps)).length).toBeGreaterThan(0);
    const after = textOf(await (await dpo.browser.get(done.headers.get("location")!)).text());
    expect(after).toContain("Effacement approuvé : l'exécution a commencé, son avancement s'affiche ci-dessous.");
    expect(after).toContain("Effacement approuvé : en attente de démarrage.");
  });
});

describe("say only what applies, in staff words", () => {
  it("an overdue ticket explains why it cannot be extended instead of hiding the form", async () => {
    const t = await verifiedTicket({ daysAgo: 45 });
    const { browser } = await signedIn(app, "dpo");
    const html = await (await browser.get(`/admin/demandes/${t.reference}`)).text();
    expect(textOf(html)).toMatch(/Prolongation impossible : l'échéance du [a-z]+ \d+ [a-zé]+ \d{4} est dépassée\./);
    expect(html).not.toMatch(/<textarea[^>]*name="reasons"/);
    const fresh = await verifiedTicket();
    const ok = await (await browser.get(`/admin/demandes/${fresh.reference}`)).text();
    expect(ok).toMatch(/<textarea[^>]*name="reasons"/);
    expect(textOf(ok)).not.toContain("Prolongation impossible");
  });

  it("an extended ticket says until when, once", async () => {
    const t = await verifiedTicket();
    const { browser } = await signedIn(app, "dpo");
    expect((await post(browser, t.reference, { intent: "extend", reasons: "Demande complexe : trois sites à interroger." })).status).toBe(302);
    const seen = await page(browser, t.reference);
    expect(seen).toMatch(/Prolongation impossible : la demande a déjà été prolongée, jusqu'au [a-z]+ \d+ [a-zé]+ \d{4}\./);
    expect(seen).toMatch(/Délai prolongé de deux mois \(nouvelle échéance le [a-z]+ \d+ [a-zé]+ \d{4}\)/);
    expect(seen).not.toMatch(/dueOn|\d{4}-\d{2}-\d{2}/);
  });

  it("the staff page speaks to staff: no public sentence, no raw method or code", async () => {
    const { browser } = await signedIn(app, "dpo");
    const t = await verifiedTicket();
    const fr = await page(browser, t.reference);
    expect(fr).toContain("Vérifiée par lien envoyé à l'adresse électronique");
    expect(fr).toContain("0 jour de suspension");
    for (const raw of ["Vérifiée (", "votre identité", "Action enregistrée", "undefined", "identity_verification", "email)"]) expect(fr, raw).not.toContain(raw);
    expect(fr).toContain("Identité vérifiée (lien envoyé par courriel)");
    // No raw state, key or code the issue saw on staff pages.
    expect(fr).not.toMatch(/\b(pending|sent|gathered_identity|dueOn|pausedDays|mapping:\w+)\b/);
    expect(fr).toContain("Délai suspendu (en attendant la vérification de son identité)");
    expect(fr).toContain("Délai repris (0 jour de suspension ; échéance le");

    // A request not verified yet: the deadline panel speaks of the requester, not to them.
    const { reference } = await fileOne(app, { email: "lea.nouveau@example.fr" });
    const pending = await page(browser, reference);
    expect(pending).toContain("Délai suspendu tant que l'identité du demandeur n'est pas vérifiée.");
    expect(pending).not.toContain("votre identité");

    await english(browser);
    const en = await page(browser, t.reference);
    expect(en).toContain("Verified by a link sent to the email address");
    expect(en).toContain("0 days paused");
    expect(en).not.toContain("0 day paused");
    expect(en).toContain("Identity verified (link sent by email)");
    expect(en).toContain("Clock resumed (0 days paused; deadline");
    expect(await page(browser, reference)).toContain("Clock stopped until the requester's identity is verified.");
  });
});
