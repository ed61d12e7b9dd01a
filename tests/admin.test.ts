import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../db/schema/audit";
import { requests } from "../db/schema/requests";
import { staffSessions } from "../db/schema/staff";
import { verifyChain } from "../app/services/audit.server";
import { dueDate, extendedDueDate, parisDate } from "../app/services/deadlines";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { signedIn } from "./helpers/staff";
import { ticketRow, verifiedTicket } from "./helpers/tickets";
import { mailTo } from "./helpers/smtp-sink";

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

describe("signing in", () => {
  it("sends anonymous visitors to the sign-in page", async () => {
    const res = await app.browser().get("/admin");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/admin/connexion");
  });

  it("says the same thing for an unknown account and a wrong password", async () => {
    const { email } = await signedIn(app, "support");
    const wrong = await app.browser().post("/admin/connexion", { email, password: "not the password" });
    const unknown = await app.browser().post("/admin/connexion", { email: "nobody@centrecall.example", password: "not the password" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [textOf(await wrong.text()), textOf(await unknown.text())];
    expect(a).toContain("Adresse ou mot de passe incorrect.");
    expect(a.replace(email, "")).toEqual(b.replace("nobody@centrecall.example", ""));
  });

  it("ends the session at logout: the old cookie opens nothing", async () => {
    const { browser } = await signedIn(app, "dpo");
    const cookie = browser.cookies.get("rd_staff")!;
    expect((await browser.get("/admin")).status).toBe(200);
    expect((await browser.post("/admin/deconnexion", {})).status).toBe(302);
    const replay = app.browser();
    replay.cookies.set("rd_staff", cookie);
    expect((await replay.get("/admin")).headers.get("location")).toBe("/admin/connexion");
  });

  it("keeps the session on the data requests a hydrated page makes (/admin.data)", async () => {
    const { browser } = await signedIn(app, "dpo");
    const res = await browser.get("/admin.data");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("rows");
  });

  it("expires a session left idle", async () => {
    const { browser } = await signedIn(app, "dpo");
    await app.db().update(staffSessions).set({ lastSeenAt: new Date(Date.now() - 31 * 60_000) });
    expect((await browser.get("/admin")).headers.get("location")).toBe("/admin/connexion");
  });

  it("refuses a back-office mutation that does not say where it comes from (CSRF)", async () => {
    const { browser } = await signedIn(app, "dpo");
    const { reference } = await verifiedTicket();
    const res = await browser.post(`/admin/demandes/${reference}`, { intent: "start" }, { origin: null });
    expect(res.status).toBe(403);
    const cross = await browser.post(`/admin/demandes/${reference}`, { intent: "start" }, { origin: "https://evil.example" });
    expect(cross.status).toBe(403);
    expect((await ticketRow(reference)).status).toBe("received");
  });
});

describe("the queue", () => {
  it("lists open tickets by due date with overdue and due-soon markers", async () => {
    const old = await verifiedTicket({ daysAgo: 40, site: "lille" });
    const soon = await verifiedTicket({ daysAgo: 27, site: "paris" });
    const fresh = await verifiedTicket({ daysAgo: 1, site: "bordeaux" });
    const { browser } = await signedIn(app, "dpo");
    const html = await (await browser.get("/admin?status=open")).text();
    const order = [old.reference, soon.reference, fresh.reference].map((r) => html.indexOf(r));
    expect(order[0]).toBeGreaterThan(-1);
    expect(order[0]).toBeLessThan(order[1]!);
    expect(order[1]).toBeLessThan(order[2]!);
    const rowOf = (ref: string) => html.slice(html.lastIndexOf("<tr", html.indexOf(ref)), html.indexOf("</tr>", html.indexOf(ref)));
    expect(rowOf(old.reference)).toContain('data-marker="overdue"');
    expect(textOf(rowOf(old.reference))).toContain("En retard");
    expect(rowOf(soon.reference)).toContain('data-marker="soon"');
    expect(rowOf(fresh.reference)).toContain('data-marker=""');
  });

  it("filters by site and finds a ticket by reference", async () => {
    const lille = await verifiedTicket({ site: "lille" });
    const paris = await verifiedTicket({ site: "paris" });
    const { browser } = await signedIn(app, "support");
    const html = await (await browser.get("/admin?site=paris&status=all")).text();
    expect(html).toContain(paris.reference);
    expect(html).not.toContain(lille.reference);
    const found = await (await browser.get(`/admin?q=${lille.reference}&status=all`)).text();
    expect(found).toContain(lille.reference);
    expect(textOf(found)).toContain("1 demande");
  });

  it("filters by right, alone and with a site, with the word matched exactly in the rights list", async () => {
    const erasure = await verifiedTicket({ site: "bordeaux", rights: ["access", "erasure"] });
    const access = await verifiedTicket({ site: "bordeaux", rights: ["access"] });
    const elsewhere = await verifiedTicket({ site: "toulouse", rights: ["erasure"] });
    const { browser } = await signedIn(app, "support");
    const bySite = await (await browser.get("/admin?site=bordeaux&right=erasure&status=all")).text();
    expect(bySite).toContain(erasure.reference);
    expect(bySite).not.toContain(access.reference);
    expect(bySite).not.toContain(elsewhere.reference);
    const anySite = await (await browser.get("/admin?right=erasure&status=all")).text();
    expect(anySite).toContain(erasure.reference);
    expect(anySite).toContain(elsewhere.reference);
    expect(anySite).not.toContain(access.reference);
    // An unknown right is ignored, not passed to SQL.
    expect((await browser.get("/admin?right=%27%29%20OR%201%3D1--&status=all")).status).toBe(200);
  });

  it("counts each status, for the whole queue and for one site, and follows a ticket that moves", async () => {
    const ticket = await verifiedTicket({ site: "toulouse" });
    const { browser } = await signedIn(app, "dpo");
    // The numbers the page shows beside each status link.
    const countsOn = async (query: string) => {
      const html = await (await browser.get(`/admin${query}`)).text();
      return Object.fromEntries([...html.matchAll(/href="\/admin\?[^"]*status=([a-z_]+)[^"]*"[^>]*>[^<]*(?:<!-- -->)?[^<]*<strong>(\d+)<\/strong>/g)].map((m) => [m[1], Number(m[2])]));
    };
    // What the table holds, counted directly.
    const truth = async (site?: "toulouse") =>
      Object.fromEntries(
        (await app
          .db()
          .select({ status: requests.status, n: count() })
          .from(requests)
          .where(site ? eq(requests.site, site) : undefined)
          .groupBy(requests.status))
          .map((r) => [r.status, r.n]),
      );
    expect(await countsOn("")).toEqual(await truth());
    const before = await countsOn("?site=toulouse");
    expect(before).toEqual(await truth("toulouse"));
    // A status link keeps the site chosen.
    expect(await (await browser.get("/admin?site=toulouse")).text()).toContain('href="/admin?site=toulouse&amp;status=received"');
    expect((await browser.post(`/admin/demandes/${ticket.reference}`, { intent: "start" })).status).toBe(302);
    const after = await countsOn("?site=toulouse");
    expect(after.received ?? 0).toBe(before.received! - 1);
    expect(after.in_progress).toBe((before.in_progress ?? 0) + 1);
    expect(await countsOn("")).toEqual(await truth());
    // With another filter than the site, the counts are those of the filtered tickets.
    expect(await countsOn("?site=toulouse&channel=phone")).toEqual({});
  });

  it("shows an agent only their own site", async () => {
    const lille = await verifiedTicket({ site: "lille" });
    const paris = await verifiedTicket({ site: "paris" });
    const { browser } = await signedIn(app, "agent", "lille");
    const html = await (await browser.get("/admin?status=all&site=paris")).text();
    expect(html).toContain(lille.reference);
    expect(html).not.toContain(paris.reference);
  });
});

describe("the ticket page", () => {
  it("shows identity and how the due date was computed, and audits each view", async () => {
    const t = await verifiedTicket({ daysAgo: 3 });
    const { browser } = await signedIn(app, "support");
    const res = await browser.get(`/admin/demandes/${t.reference}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const text = textOf(html);
    expect(text).toContain("Lucie Martin");
    expect(text).toContain(t.email);
    expect(text).toContain("0 jour de suspension");
    const received = parisDate(new Date(Date.now() - 3 * 86_400_000 - 2 * 3_600_000));
    expect(html).toContain(`data-due="${dueDate(received)}"`);
    expect(text).toContain("Demande déposée en ligne");
    const audits = (await app.db().select().from(auditLog).where(eq(auditLog.reference, t.reference))).map((a) => a.action);
    expect(audits).toContain("ticket.viewed");
    expect(audits).toContain("ticket.identity_viewed");
    // Audit details never carry the person.
    for (const a of (await app.db().select().from(auditLog))) expect(JSON.stringify(a.details)).not.toContain("@example.fr");
  });

  it("hides the requester's identity from administrators, and audits no identity view for them", async () => {
    const t = await verifiedTicket();
    const { browser } = await signedIn(app, "admin");
    const res = await browser.get(`/admin/demandes/${t.reference}`);
    expect(res.status).toBe(200);
    const text = textOf(await res.text());
    expect(text).not.toContain("Lucie Martin");
    expect(text).not.toContain(t.email);
    const audits = (await app.db().select().from(auditLog).where(eq(auditLog.reference, t.reference))).map((a) => a.action);
    expect(audits).toContain("ticket.viewed");
    expect(audits).not.toContain("ticket.identity_viewed");
  });

  it("gives an agent of Lille a 404 for a Paris ticket, however its reference was guessed", async () => {
    const paris = await verifiedTicket({ site: "paris" });
    const { browser } = await signedIn(app, "agent", "lille");
    const res = await browser.get(`/admin/demandes/${paris.reference}`);
    expect(res.status).toBe(404);
    expect(textOf(await res.text())).not.toContain("Lucie");
    const post = await browser.post(`/admin/demandes/${paris.reference}`, { intent: "note", body: "test" });
    expect(post.status).toBe(404);
  });
});

describe("actions", () => {
  it("lets the DPO extend before the deadline, emailing the reasons and the new date", async () => {
    const t = await verifiedTicket({ daysAgo: 10 });
    const { browser } = await signedIn(app, "dpo");
    const res = await browser.post(`/admin/demandes/${t.reference}`, { intent: "extend", reasons: "Demande complexe : trois bases et les enregistrements d'appels à rechercher." });
    expect(res.status).toBe(302);
    const received = parisDate(new Date(Date.now() - 10 * 86_400_000 - 2 * 3_600_000));
    const expected = extendedDueDate(received);
    const row = await ticketRow(t.reference);
    expect(row.extended).toBe(true);
    expect(row.effectiveDueOn).toBe(expected);
    const mail = await mailTo(app, t.email, "délai prolongé");
    expect(mail.text).toContain("trois bases et les enregistrements");
    const [y, m, d] = expected.split("-").map(Number) as [number, number, number];
    expect(mail.text).toContain(new Intl.DateTimeFormat("fr-FR", { dateStyle: "full", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d))));
    // Twice is refused with a clear message.
    const again = await browser.post(`/admin/demandes/${t.reference}`, { intent: "extend", reasons: "Encore une fois, pour voir ce qui se passe." });
    expect(again.status).toBe(409);
    expect(textOf(await again.text())).toContain("déjà été prolongée");
  });

  it("refuses an extension after the deadline and without reasons", async () => {
    const late = await verifiedTicket({ daysAgo: 45 });
    const { browser } = await signedIn(app, "dpo");
    const res = await browser.post(`/admin/demandes/${late.reference}`, { intent: "extend", reasons: "Trop tard mais essayons quand même." });
    expect(res.status).toBe(409);
    expect(textOf(await res.text())).toContain("avant l'échéance actuelle");
    const t = await verifiedTicket();
    const noReason = await browser.post(`/admin/demandes/${t.reference}`, { intent: "extend", reasons: "" });
    expect(noReason.status).toBe(400);
    expect((await ticketRow(t.reference)).extended).toBe(false);
  });

  it("answers a 400 when a service refuses an admin action's input (the one DomainError map)", async () => {
    const t = await verifiedTicket();
    const { browser } = await signedIn(app, "support");
    const before = await ticketRow(t.reference);
    // An empty reply typed in by staff: the service throws invalid_input, not the route's own parsing.
    const res = await browser.post(`/admin/demandes/${t.reference}`, { intent: "reply-record", message: "   " });
    expect(res.status).toBe(400);
    expect((await ticketRow(t.reference)).status).toBe(before.status);
  });

  it("refuses with reasons, CNIL and court wording in the email", async () => {
    const t = await verifiedTicket();
    const { browser } = await signedIn(app, "dpo");
    const res = await browser.post(`/admin/demandes/${t.reference}`, {
      intent: "refuse", confirmed: "1",
      reasons: ["excessive"],
      text: "Quatrième demande identique ce mois-ci.",
    });
    expect(res.status).toBe(302);
    expect((await ticketRow(t.reference)).status).toBe("refused");
    const mail = await mailTo(app, t.email, "notre réponse");
    expect(mail.text).toContain("Demande excessive");
    expect(mail.text).toContain("Quatrième demande identique");
    expect(mail.text).toContain("réclamation auprès de la Commission nationale de l'informatique et des libertés");
    expect(mail.text).toContain("recours juridictionnel");
  });

  it("keeps DPO-only decisions away from support (403) and changes nothing", async () => {
    const t = await verifiedTicket();
    const { browser } = await signedIn(app, "support");
    const extend = await browser.post(`/admin/demandes/${t.reference}`, { intent: "extend", reasons: "Je ne suis pas DPO mais j'essaie." });
    expect(extend.status).toBe(403);
    expect(textOf(await extend.text())).toContain("Votre rôle ne permet pas cette action.");
    const refuse = await browser.post(`/admin/demandes/${t.reference}`, { intent: "refuse", confirmed: "1", reasons: ["excessive"], text: "Je ne suis pas DPO non plus." });
    expect(refuse.status).toBe(403);
    const row = await ticketRow(t.reference);
    expect(row.extended).toBe(false);
    expect(row.status).toBe("received");
  });

  it("keeps agents from deciding anything on their own site's tickets", async () => {
    const t = await verifiedTicket({ site: "lille" });
    const { browser } = await signedIn(app, "agent", "lille");
    expect((await browser.post(`/admin/demandes/${t.reference}`, { intent: "start" })).status).toBe(403);
    expect((await browser.post(`/admin/demandes/${t.reference}`, { intent: "cancel", confirmed: "1" })).status).toBe(403);
    expect((await ticketRow(t.reference)).status).toBe("received");
  });

  it("pauses the clock while waiting for the requester and resumes it on their reply", async () => {
    const t = await verifiedTicket({ daysAgo: 5 });
    const before = (await ticketRow(t.reference)).effectiveDueOn!;
    const { browser } = await signedIn(app, "support");
    expect((await browser.post(`/admin/demandes/${t.reference}`, { intent: "ask", reason: "scope", question: "Quel numéro de téléphone utilisiez-vous en 2025 ?" })).status).toBe(302);
    expect((await ticketRow(t.reference)).status).toBe("awaiting_requester");
    const mail = await mailTo(app, t.email, "Précisions nécessaires");
    expect(mail.text).toContain("Quel numéro de téléphone");
    const replyPath = new URL(mail.text!.match(/https?:\/\/\S+\/reponse\/\S+/)![0]).pathname;
    // Two days later the requester answers: the deadline moves by two days (before rolling).
    const { requesterReply } = await import("../app/services/tickets.server");
    const token = replyPath.split("/").pop()!;
    const twoDaysLater = new Date(Date.now() + 2 * 86_400_000);
    const r = await requesterReply({ ctx: { db: app.db(), now: twoDaysLater, actor: { kind: "requester" } }, token, message: "Le 06 12 34 56 78." });
    expect(r.ok).toBe(true);
    const row = await ticketRow(t.reference);
    expect(row.status).toBe("in_progress");
    const received = parisDate(new Date(Date.now() - 5 * 86_400_000 - 2 * 3_600_000));
    expect(row.effectiveDueOn).toBe(dueDate(received, { pausedDays: 2 }));
    expect(row.effectiveDueOn! >= before).toBe(true);
    // The link is spent.
    expect((await app.browser().post(replyPath, { message: "encore" })).status).toBe(400);
  });

  it("accepts a reply over HTTP and shows the thank-you page", async () => {
    const t = await verifiedTicket();
    const { browser } = await signedIn(app, "support");
    await browser.post(`/admin/demandes/${t.reference}`, { intent: "ask", reason: "scope", question: "Pouvez-vous préciser la période concernée ?" });
    const mail = await mailTo(app, t.email, "Précisions nécessaires");
    const replyPath = new URL(mail.text!.match(/https?:\/\/\S+\/reponse\/\S+/)![0]).pathname;
    const visitor = app.browser();
    expect((await visitor.get(replyPath)).status).toBe(200);
    const empty = await visitor.post(replyPath, { message: "" });
    expect(empty.status).toBe(400);
    const ok = await visitor.post(replyPath, { message: "De janvier à mars 2026." });
    expect(ok.headers.get("location")).toBe("/reponse/merci");
    expect((await ticketRow(t.reference)).status).toBe("in_progress");
  });

  it("walks a ticket to completion and refuses illegal transitions with a clear message", async () => {
    const t = await verifiedTicket();
    const { browser, id } = await signedIn(app, "support");
    const complete = await browser.post(`/admin/demandes/${t.reference}`, { intent: "complete", confirmed: "1" });
    expect(complete.status).toBe(409);
    expect(textOf(await complete.text())).toContain("n'est pas possible dans l'état actuel");
    for (const intent of ["start", "ready", "complete"]) {
      expect((await browser.post(`/admin/demandes/${t.reference}`, { intent, confirmed: "1" })).status).toBe(302);
    }
    expect((await browser.post(`/admin/demandes/${t.reference}`, { intent: "assign", assigneeId: String(id) })).status).toBe(409);
    const row = await ticketRow(t.reference);
    expect(row.status).toBe("completed");
    expect(row.closedAt).not.toBeNull();
    await mailTo(app, t.email, `Votre demande ${t.reference}`);
  });

  it("assigns, notes, marks duplicates and cancels", async () => {
    const original = await verifiedTicket();
    const copy = await verifiedTicket();
    const other = await verifiedTicket();
    const { browser, id } = await signedIn(app, "dpo");
    expect((await browser.post(`/admin/demandes/${original.reference}`, { intent: "assign", assigneeId: String(id) })).status).toBe(302);
    expect((await ticketRow(original.reference)).assigneeId).toBe(id);
    expect((await browser.post(`/admin/demandes/${original.reference}`, { intent: "note", body: "Appel du demandeur : confirme la période." })).status).toBe(302);
    expect(textOf(await (await browser.get(`/admin/demandes/${original.reference}`)).text())).toContain("confirme la période");
    expect((await browser.post(`/admin/demandes/${copy.reference}`, { intent: "duplicate", of: original.reference })).status).toBe(302);
    expect((await ticketRow(copy.reference)).status).toBe("duplicate");
    const self = await browser.post(`/admin/demandes/${other.reference}`, { intent: "duplicate", of: other.reference });
    expect(self.status).toBe(400);
    expect((await browser.post(`/admin/demandes/${other.reference}`, { intent: "cancel", confirmed: "1" })).status).toBe(302);
    expect((await ticketRow(other.reference)).status).toBe("cancelled");
  });

  it("keeps the audit chain intact through all of this", async () => {
    const check = await verifyChain(app.db());
    expect(check.ok).toBe(true);
    expect(check.count).toBeGreaterThan(20);
  });
});
