import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../db/schema/audit";
import type { Channel, Right, Site, Status } from "../db/schema/enums";
import { requests } from "../db/schema/requests";
import { addDays, parisDate } from "../app/services/deadlines";
import { parisLocalToInstant } from "../app/utils/paris-time";
import { parisDateOf } from "../app/utils/sql-dialect.server";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { signedIn } from "./helpers/staff";
import { first, rawGet } from "../app/utils/db.server";

let app: TestApp;
const paris = (local: string) => parisLocalToInstant(local)!;
let n = 0;

/** Fixture rows straight into the table: the states a ticket reaches over months, without living through them. */
async function ticket(f: {
  received: Date;
  status: Status;
  rights?: Right[];
  channel?: Channel;
  site?: Site | null;
  dueOn?: string | null;
  extendedDueOn?: string | null;
  closed?: Date | null;
}) {
  const dueOn = f.dueOn ?? null;
  await db()
    .insert(requests)
    .values({
      reference: `DSR-2025-${String(++n).padStart(6, "0")}`,
      rights: f.rights ?? ["access"],
      channel: f.channel ?? "web",
      site: f.site ?? null,
      status: f.status,
      locale: "fr",
      lastName: "Desmarc",
      firstName: "Corinne",
      email: "corinne.desmarc@example.fr",
      verificationMethod: "email",
      receivedAt: f.received,
      dueOn,
      extended: Boolean(f.extendedDueOn),
      extendedDueOn: f.extendedDueOn ?? null,
      effectiveDueOn: f.extendedDueOn ?? dueOn,
      closedAt: f.closed ?? null,
      createdAt: f.received,
      updatedAt: f.closed ?? f.received,
    });
}
const db = () => app.db();

beforeAll(async () => {
  app = await startApp();
  const today = parisDate(new Date());
  const recent = new Date(Date.now() - 20 * 86_400_000);
  // A: received January, closed 5 Feb, before its 10 Feb deadline — in time.
  await ticket({ received: paris("2025-01-10T10:00"), status: "completed", rights: ["access", "erasure"], channel: "web", dueOn: "2025-02-10", closed: paris("2025-02-05T15:00") });
  // B: due Monday 17 Feb, closed 18 Feb at 00:30 in Paris (still the 17th in UTC): late by one day.
  await ticket({ received: paris("2025-01-15T09:00"), status: "completed", rights: ["access"], channel: "phone", site: "lille", dueOn: "2025-02-17", closed: paris("2025-02-18T00:30") });
  // C: extended to 22 Apr, refused 30 Mar: late for one month, in time for three.
  await ticket({ received: paris("2025-01-20T10:00"), status: "refused", rights: ["portability"], channel: "email", site: "paris", dueOn: "2025-02-20", extendedDueOn: "2025-04-22", closed: paris("2025-03-30T12:00") });
  // D: received 1 Feb 00:30 in Paris (31 Jan in UTC): a February request. Cancelled before its deadline.
  await ticket({ received: paris("2025-02-01T00:30"), status: "cancelled", rights: ["rectification"], channel: "mail", site: "lille", dueOn: "2025-03-03", closed: paris("2025-03-01T10:00") });
  // E: a duplicate closed the next day.
  await ticket({ received: paris("2025-02-10T10:00"), status: "duplicate", rights: ["access"], channel: "web", dueOn: "2025-03-10", closed: paris("2025-02-11T10:00") });
  // F: never verified — counted nowhere.
  await ticket({ received: paris("2025-03-05T10:00"), status: "expired_unverified", rights: ["access"], channel: "web", closed: paris("2025-03-20T10:00") });
  // G: received in March, still in progress, due April 2025: overdue today.
  await ticket({ received: paris("2025-03-10T10:00"), status: "in_progress", rights: ["objection"], channel: "in_person", site: "tours", dueOn: "2025-04-10" });
  // H: received December 2024, closed January after the deadline but within two more months.
  await ticket({ received: paris("2024-12-01T10:00"), status: "completed", rights: ["access"], channel: "web", dueOn: "2025-01-02", closed: paris("2025-01-20T10:00") });
  // I: received October 2024, closed March 2025: late for both measures.
  await ticket({ received: paris("2024-10-01T10:00"), status: "completed", rights: ["access"], channel: "web", dueOn: "2024-11-04", closed: paris("2025-03-10T10:00") });
  // Open today, received recently (outside the 2025 period): which ones are overdue.
  await ticket({ received: recent, status: "received", dueOn: addDays(today, -1) }); // overdue
  await ticket({ received: recent, status: "awaiting_requester", dueOn: addDays(today, -30) }); // clock paused: not overdue
  await ticket({ received: recent, status: "ready", dueOn: today }); // due today: not yet overdue
  await ticket({ received: recent, status: "in_progress", dueOn: addDays(today, 5) });
  await ticket({ received: recent, status: "awaiting_verification" });
  await ticket({ received: recent, status: "completed", dueOn: addDays(today, -3), closed: new Date() });
});
afterAll(async () => {
  await app?.stop();
});

/*
 * Hand-computed for 2025-01..2025-03:
 *  closed in the period (completed/refused/cancelled/duplicate): H (Jan), A, B, E (Feb), C, D, I (Mar) = 7
 *  within one month: A, D, E = 3 of 7 (42.9 %); within three months: all but I = 6 of 7 (85.7 %)
 *  durations (days): E 1.0, A 26.21, D 28.40, B 33.65, H 50.0, C 69.04, I 160.04 → median 33.6
 *  received: Jan A, B, C = 3; Feb D, E = 2; Mar G = 1 (F unverified)
 *  overdue today: G and the "received" one due yesterday = 2 (the "awaiting_requester" one has its clock paused, as in the queue)
 */
describe("reports page", () => {
  it("shows the share closed in time, the median and the overdue count for known tickets", async () => {
    const { browser } = await signedIn(app, "dpo");
    const res = await browser.get("/admin/rapports?from=2025-01&to=2025-03");
    expect(res.status).toBe(200);
    const html = await res.text();
    const text = textOf(html);
    expect(text).toContain("Closes dans le délai d'un mois 42,9 % (3 sur 7)");
    expect(text).toContain("Closes dans les trois mois 85,7 % (6 sur 7)");
    expect(text).toContain("Délai médian de clôture 33,6 jours");
    expect(text).toMatch(/En retard aujourd'hui 2 \( ?demandes ouvertes dont l'échéance est dépassée, au /);
    const row = (month: string) => textOf(html.match(new RegExp(`<tr data-month="${month}">([\\s\\S]*?)</tr>`))![1]!).trim();
    expect(row("2025-01")).toBe("janvier 2025 3 1 0");
    expect(row("2025-02")).toBe("février 2025 2 3 2");
    expect(row("2025-03")).toBe("mars 2025 1 3 1");
    const cell = (key: string) => textOf(html.match(new RegExp(`<tr data-key="${key}">([\\s\\S]*?)</tr>`))![1]!).trim();
    expect(cell("rights-access")).toBe("Accès 3");
    expect(cell("rights-erasure")).toBe("Effacement 1");
    expect(cell("rights-restriction")).toBe("Limitation 0");
    expect(cell("channels-phone")).toBe("Téléphone 1");
    expect(cell("channels-web")).toBe("Site web 2");
    expect(cell("sites-web")).toBe("Web (siège) 2");
    expect(cell("sites-lille")).toBe("Lille 2");
    expect(cell("sites-bordeaux")).toBe("Bordeaux 0");
  });

  it("draws charts as labelled images whose numbers are also in tables", async () => {
    const { browser } = await signedIn(app, "support");
    const html = await (await browser.get("/admin/rapports?from=2025-01&to=2025-03")).text();
    for (const id of ["months", "rights", "channels", "sites"]) {
      expect(html).toContain(`role="img" aria-labelledby="${id}-svg-title ${id}-svg-desc"`);
      expect(html).toContain(`<title id="${id}-svg-title">`);
      expect(html).toContain(`<desc id="${id}-svg-desc">`);
    }
    expect(html.match(/<caption>/g)).toHaveLength(4);
    expect(html).toContain('<th scope="col">Mois</th>');
    expect(html).toContain('<th scope="row">février 2025</th>');
    // bars carry their number as text, not only their length
    expect(html).toMatch(/<text[^>]*>3<\/text>/);
    expect(html).toContain('href="/admin/rapports/csv?from=2025-01&amp;to=2025-03"');
  });

  it("opens with the last twelve months by default, for admins too", async () => {
    const { browser } = await signedIn(app, "admin");
    const res = await browser.get("/admin/rapports");
    expect(res.status).toBe(200);
    const month = parisDate(new Date()).slice(0, 7);
    expect(await res.text()).toContain(`<tr data-month="${month}">`);
  });

  it("answers a malformed or reversed period with 400, not an error page", async () => {
    const { browser } = await signedIn(app, "dpo");
    for (const q of ["from=2025-13", "from=2025-05&to=2025-01", "from=2020-01&to=2025-01", "to=janvier", "from=0050-01&to=0050-02", `from=${"9".repeat(5000)}`]) {
      const res = await browser.get(`/admin/rapports?${q}`);
      expect(res.status, q).toBe(400);
      expect(textOf(await res.text())).toContain("Période invalide");
    }
    expect((await browser.get("/admin/rapports/csv?from=2025-1")).status).toBe(400);
  });

  it("refuses agents the page and the CSV (403), and records nothing", async () => {
    const { browser, id } = await signedIn(app, "agent", "lille");
    expect((await browser.get("/admin/rapports")).status).toBe(403);
    expect((await browser.get("/admin/rapports?from=oops")).status).toBe(403);
    const csv = await browser.get("/admin/rapports/csv?from=2025-01&to=2025-02");
    expect(csv.status).toBe(403);
    expect(csv.headers.get("content-type")).not.toContain("text/csv");
    expect(await db().select().from(auditLog).where(and(eq(auditLog.action, "report.exported"), eq(auditLog.actorId, id)))).toHaveLength(0);
  });
});

describe("CSV export", () => {
  it("downloads a CSV with a header row and the period's figures, and audits the export", async () => {
    const { browser, id } = await signedIn(app, "dpo");
    const res = await browser.get("/admin/rapports/csv?from=2025-01&to=2025-02");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="rapport-rgpd-2025-01-2025-02.csv"');
    const body = (await res.text()).replace(/^\uFEFF/, "");
    const lines = body.split("\r\n");
    expect(lines[0]).toBe("section,key,label,measure,value");
    expect(lines.at(-1)).toBe("");
    /*
     * 2025-01..2025-02: closed H (Jan), A, B, E (Feb) — durations 50.0, 26.21, 33.65, 1.0;
     * median of an even count = (26.21 + 33.65) / 2 = 29.9; in time A, E = 2 of 4; within three months 4 of 4.
     */
    expect(lines).toEqual(
      expect.arrayContaining([
        "period,from,Début de période,month,2025-01",
        "month,2025-01,janvier 2025,received,3",
        "month,2025-01,janvier 2025,closed,1",
        "month,2025-02,février 2025,received,2",
        "month,2025-02,février 2025,closed,3",
        "month,2025-02,février 2025,closed_within_one_month,2",
        "right,access,Accès,received,3",
        "right,rectification,Rectification,received,1",
        "channel,mail,Courrier,received,1",
        "site,web,Web (siège),received,2",
        "site,lille,Lille,received,2",
        "summary,closed,Demandes closes,count,4",
        "summary,closed_within_one_month,Closes dans le délai d'un mois,share,0.5",
        "summary,closed_within_three_months,Closes dans les trois mois,share,1",
        "summary,median_days_to_close,Délai médian de clôture,days,29.9",
        "summary,overdue,En retard aujourd'hui,count,2",
      ]),
    );
    expect(lines.filter((l) => l.startsWith("month,"))).toHaveLength(6);
    expect(body).not.toMatch(/Desmarc|Corinne|corinne/);
    const entry = await first(db().select().from(auditLog).where(and(eq(auditLog.action, "report.exported"), eq(auditLog.actorId, id))));
    expect(entry?.details).toEqual({ from: "2025-01", to: "2025-02", format: "csv" });
  });

  it("speaks English when asked, five cells on every row", async () => {
    const { browser } = await signedIn(app, "support");
    browser.cookies.set("lang", "en");
    const body = await (await browser.get("/admin/rapports/csv?from=2025-03&to=2025-03")).text();
    const lines = body.replace(/^\uFEFF/, "").split("\r\n");
    expect(lines).toContain("month,2025-03,March 2025,received,1");
    expect(lines).toContain("summary,closed_within_one_month,Closed within one month,count,1");
    // C, D, I closed in March: 69.04, 28.40, 160.04 days → 69.0
    expect(lines).toContain("summary,median_days_to_close,Median time to close,days,69");
    for (const line of lines.filter(Boolean)) {
      const cells = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.filter((c) => c !== "");
      expect(cells.length, line).toBe(5);
    }
  });
});

describe("Paris dates in SQL", () => {
  it("agrees with parisDate around midnight and both summer-time switches", async () => {
    const instants = [
      "2025-01-31T22:59:59.999Z",
      "2025-01-31T23:00:00.000Z",
      "2025-03-30T00:59:59.999Z",
      "2025-03-30T01:00:00.000Z",
      "2025-03-31T21:59:59.999Z",
      "2025-03-31T22:00:00.000Z",
      "2025-10-25T22:00:00.000Z",
      "2025-10-26T00:59:59.999Z",
      "2025-10-26T01:00:00.000Z",
      "2025-10-26T22:59:59.999Z",
      "2025-10-26T23:00:00.000Z",
      "2025-12-31T23:00:00.000Z",
      "2025-06-30T21:59:00.000Z",
      "2025-06-30T22:00:00.000Z",
    ].map((s) => new Date(s));
    for (const at of instants) {
      const got = (await rawGet<{ d: string }>(db(), sql`SELECT ${parisDateOf(sql`${at.getTime()}`, [2025, 2026])} AS d`))!.d;
      expect(got, at.toISOString()).toBe(parisDate(at));
    }
  });
});
