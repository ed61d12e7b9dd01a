import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requests } from "../db/schema/requests";
import { sendReminders } from "../app/services/reminders.server";
import { startApp, textOf, type Browser, type TestApp } from "./helpers/app";
import { fileOne } from "./helpers/requester";
import { signedIn } from "./helpers/staff";
import { verifiedTicket } from "./helpers/tickets";

/**
 * The queue's deadline counters are filters, and "overdue" means one thing
 * on the queue, in the daily digest and on the reports page.
 */
let app: TestApp;
const t: Record<string, string> = {};
beforeAll(async () => {
  app = await startApp();
  // Toulouse holds this file's tickets, one of each state.
  t.late = (await verifiedTicket({ daysAgo: 40, site: "toulouse", rights: ["erasure"] })).reference;
  t.later = (await verifiedTicket({ daysAgo: 45, site: "toulouse" })).reference;
  t.soon = (await verifiedTicket({ daysAgo: 27, site: "toulouse" })).reference;
  t.fresh = (await verifiedTicket({ daysAgo: 1, site: "toulouse" })).reference;
  t.elsewhere = (await verifiedTicket({ daysAgo: 40, site: "lille" })).reference;
  // Past its date, but the clock stopped when the requester was asked a question.
  t.pausedLate = (await verifiedTicket({ daysAgo: 40, site: "toulouse" })).reference;
  const { browser } = await signedIn(app, "dpo");
  const asked = await browser.post(`/admin/demandes/${t.pausedLate}`, {
    intent: "ask",
    reason: "scope",
    question: "Quelle période votre demande concerne-t-elle ?",
  });
  expect(asked.status).toBe(302);
  // Filed on the web and not yet confirmed: its clock has not started (paused too), and "open" leaves it out.
  t.unverified = (await fileOne(app, { email: "inconnue.toulouse@example.fr" })).reference;
  await app.db().update(requests).set({ site: "toulouse" }).where(eq(requests.reference, t.unverified!));
});
afterAll(async () => {
  await app?.stop();
});

const decode = (s: string) =>
  s
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'");

/** Each link on the page: its href, accessible name (aria-label) and visible text. */
function links(html: string) {
  return [...html.matchAll(/<a\s([^>]*)>([\s\S]*?)<\/a>/g)].map(([, attrs, inner]) => ({
    href: decode(/href="([^"]*)"/.exec(attrs!)?.[1] ?? ""),
    label: decode(/aria-label="([^"]*)"/.exec(attrs!)?.[1] ?? ""),
    current: /aria-current=/.test(attrs!),
    text: textOf(inner!).trim(),
  }));
}

/** The references listed in the queue's table, with their deadline marker. */
function rows(html: string) {
  return [...html.matchAll(/<tr data-marker="([^"]*)">[\s\S]*?\/admin\/demandes\/(DSR-\d{4}-\d{6})/g)].map(([, marker, reference]) => ({ marker, reference }));
}

async function page(browser: Browser, path: string) {
  const res = await browser.get(path);
  expect(res.status, path).toBe(200);
  return res.text();
}

function counter(html: string, label: string, action = "afficher ces demandes") {
  const found = links(html).find((l) => l.label.startsWith(`${label} : `) || l.label.startsWith(`${label}: `));
  expect(found, `a "${label}" counter link`).toBeDefined();
  const n = Number(/[:] (\d+) —/.exec(found!.label)![1]);
  expect(found!.label.endsWith(action), found!.label).toBe(true);
  return { ...found!, n };
}

describe("the queue's deadline counters", () => {
  it("are links whose count is exactly the rows they show, each with its marker", async () => {
    const { browser } = await signedIn(app, "dpo");
    const html = await page(browser, "/admin?site=toulouse");
    const expected = { overdue: [t.late, t.later], soon: [t.soon], paused: [t.pausedLate, t.unverified] };
    for (const [state, label] of [
      ["overdue", "En retard"],
      ["soon", "Échéance sous 7 jours"],
      ["paused", "Délai suspendu"],
    ] as const) {
      const c = counter(html, label);
      expect(c.n, state).toBe(expected[state].length);
      // The filter keeps the site chosen, and is applied by the server (a plain link: no JavaScript needed).
      expect(new URLSearchParams(c.href.slice(c.href.indexOf("?"))).get("site")).toBe("toulouse");
      const filtered = await page(browser, `/admin${c.href.slice(c.href.indexOf("?"))}`);
      const shown = rows(filtered);
      expect(shown.map((r) => r.reference).sort(), state).toEqual([...expected[state]].sort());
      expect(new Set(shown.map((r) => r.marker)), state).toEqual(new Set([state]));
      expect(textOf(filtered)).toContain(`${expected[state].length} demande`);
      // The active filter says so, and can be removed.
      expect(textOf(filtered)).toContain(`Filtre actif : ${label}.`);
      expect(counter(filtered, label, "filtre actif").current).toBe(true);
      const remove = links(filtered).find((l) => l.text === `Retirer le filtre « ${label} »`);
      expect(remove, "a link removing the filter").toBeDefined();
      const all = rows(await page(browser, remove!.href.startsWith("?") ? `/admin${remove!.href}` : remove!.href));
      expect(all.map((r) => r.reference)).toEqual(expect.arrayContaining([t.fresh, t.late, t.soon]));
    }
  });

  it("combine with the other filters, in a GET form too", async () => {
    const { browser } = await signedIn(app, "support");
    const html = await page(browser, "/admin?site=toulouse&right=erasure&due=overdue");
    expect(rows(html).map((r) => r.reference)).toEqual([t.late]);
    expect(counter(html, "En retard", "filtre actif").n).toBe(1);
    // The form carries the deadline filter as a field.
    expect(html).toMatch(/<select id="f-due" name="due">/);
    expect(html).toMatch(/<option value="overdue" selected="">En retard<\/option>/);
    // A status chosen with it narrows further; nonsense is ignored, never a 500.
    expect(rows(await page(browser, "/admin?site=toulouse&due=overdue&status=in_progress"))).toEqual([]);
    const junk = await page(browser, "/admin?site=toulouse&due=<script>");
    expect(rows(junk).length).toBeGreaterThanOrEqual(4);
    expect(textOf(junk)).not.toContain("Filtre actif");
  });

  it("count only the agent's own site, whatever the URL asks", async () => {
    const { browser } = await signedIn(app, "agent", "lille");
    const html = await page(browser, "/admin?site=toulouse&due=overdue");
    expect(rows(html).map((r) => r.reference)).toEqual([t.elsewhere]);
    expect(counter(html, "En retard", "filtre actif").n).toBe(1);
    expect(counter(html, "Délai suspendu").n).toBe(0);
  });

  it("speak English to staff who chose it", async () => {
    const { browser } = await signedIn(app, "dpo");
    await browser.get("/langue?to=en&back=/admin");
    const html = await page(browser, "/admin?site=toulouse");
    expect(counter(html, "Overdue", "show these requests").n).toBe(2);
    expect(counter(html, "Clock paused", "show these requests").n).toBe(2);
    const filtered = await page(browser, "/admin?site=toulouse&due=soon");
    expect(textOf(filtered)).toContain("Filter on: Due within 7 days.");
    expect(textOf(filtered)).toContain("1 request");
  });

  it("keep references on one line and the table in its own scrollable region", async () => {
    const { browser } = await signedIn(app, "dpo");
    const html = await page(browser, "/admin?site=toulouse");
    expect(html).toMatch(/<div class="table-scroll" role="region" aria-label="[^"]+" tabindex="0"><table class="queue-table">/);
    expect(html).toContain('<th scope="row" class="ref">');
  });
});

describe("one meaning of overdue", () => {
  it("counts a paused ticket past its date the same way on the queue, in the digest and on the reports page", async () => {
    const { browser } = await signedIn(app, "dpo");
    const queue = counter(await page(browser, "/admin"), "En retard").n;
    const reports = await page(browser, "/admin/rapports");
    const reported = Number(/data-figure="overdue"><strong>(\d+)<\/strong>/.exec(reports)![1]);
    const before = app.sink!.received.length;
    await sendReminders({ ctx: { db: app.db(), now: new Date(), actor: { kind: "system" } }, force: true });
    await app.deliver();
    const digest = app.sink!.received.slice(before).find((m) => m.subject?.startsWith("Échéances RGPD"));
    expect(digest, "a digest to the DPO").toBeDefined();
    const inDigest = Number(/dont (\d+) en retard/.exec(digest!.subject!)![1]);
    // late, later (Toulouse) and elsewhere (Lille); not the paused one.
    expect(queue).toBe(3);
    expect(reported).toBe(queue);
    expect(inDigest).toBe(queue);
    expect(digest!.text).not.toContain(t.pausedLate);
  });
});

describe("the journal speaks words, not codes", () => {
  it("shows a ticket's usual life with labels and dates in words, in French and English", async () => {
    const { browser, id } = await signedIn(app, "dpo");
    const { reference } = await verifiedTicket({ daysAgo: 3, site: "paris" });
    const act = async (fields: Record<string, string>) => expect((await browser.post(`/admin/demandes/${reference}`, fields)).status, fields.intent).toBe(302);
    await browser.get(`/admin/demandes/${reference}`);
    await act({ intent: "assign", assigneeId: String(id) });
    await act({ intent: "start" });
    await act({ intent: "extend", reasons: "Demande complexe : trois bases et les enregistrements d'appels." });
    await act({ intent: "ask", reason: "scope", question: "Quelle période votre demande concerne-t-elle ?" });
    await act({ intent: "note", body: "Appel de la personne ce matin." });
    const journal = async () => {
      const res = await browser.get(`/admin/journal?reference=${reference}`);
      expect(res.status).toBe(200);
      const html = await res.text();
      return textOf(html.slice(html.indexOf("<table"), html.indexOf("</table>")));
    };
    const fr = await journal();
    expect(fr).toContain("Échéance :");
    expect(fr).toMatch(/Motif : Préciser/);
    // No code, no camelCase name, no ISO date: what "dueOn 2027-02-01" or "reason scope" used to say.
    for (const raw of ["dueOn", "assigneeId", "ticket.", "scope", "in_progress", "reason "]) expect(fr, raw).not.toContain(raw);
    expect(fr).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    await browser.get("/langue?to=en&back=/admin");
    const en = await journal();
    expect(en).toContain("Due date:");
    expect(en).toMatch(/Reason: Clarify/);
    for (const raw of ["dueOn", "assigneeId", "ticket.", "in_progress"]) expect(en, raw).not.toContain(raw);
    expect(en).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });
});
