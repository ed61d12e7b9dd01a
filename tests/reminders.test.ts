import { eq } from "drizzle-orm";
import type { AddressObject, ParsedMail } from "mailparser";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../db/schema/audit";
import type { Role, Site, Status } from "../db/schema/enums";
import { outbox } from "../db/schema/outbox";
import { requests } from "../db/schema/requests";
import { staff } from "../db/schema/staff";
import { reminderDigest } from "../emails/reminder-digest";
import { addDays, parisDate } from "../app/services/deadlines";
import { DomainError } from "../app/services/errors";
import { sendReminders } from "../app/services/reminders.server";
import { createStaff } from "../app/services/staff.server";
import { openDatabase, type Db, first } from "../app/utils/db.server";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { cli, cliEnv } from "./helpers/processes";


let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

let n = 0;
/** Fixture tickets straight into the table, with a requester identity the emails must never show. */
async function ticket(db: Db, f: { status: Status; dueOn: string | null; assigneeId?: number | null }) {
  const reference = `DSR-2026-${String(++n + 900_000).padStart(6, "0")}`;
  const at = new Date(Date.now() - 25 * 86_400_000);
  await db.insert(requests)
    .values({
      reference,
      rights: ["access"],
      channel: "web",
      status: f.status,
      locale: "fr",
      lastName: "Desmarc",
      firstName: "Corinne",
      email: "corinne.desmarc@example.fr",
      phone: "+33612345678",
      verificationMethod: "email",
      receivedAt: at,
      dueOn: f.dueOn,
      effectiveDueOn: f.dueOn,
      assigneeId: f.assigneeId ?? null,
      createdAt: at,
      updatedAt: at,
    });
  return reference;
}

async function person(role: Role, name: string, site: Site = "tours") {
  const { staff: row } = await createStaff({
    ctx: { db: app.db(), now: new Date(), actor: { kind: "system" } },
    input: { email: `${name}@centrecall.example`, displayName: name, role, site },
    password: "correct horse battery staple",
  });
  return row;
}

const recipient = (m: ParsedMail) => (m.to as AddressObject).value[0]!.address;

describe("deadline reminders", () => {
  it("sends one digest per assignee and one with everything to the DPO, with references and no requester identity", async () => {
    const today = parisDate(new Date());
    const dpo = await person("dpo", "rappel.dpo");
    const agent = await person("agent", "rappel.agent", "lille");
    const support = await person("support", "rappel.support");
    const gone = await person("support", "rappel.parti");
    await app.db().update(staff).set({ active: false }).where(eq(staff.id, gone.id));
    await person("admin", "rappel.admin"); // no tickets: no mail

    const db = app.db();
    const soon = await ticket(db, { status: "in_progress", dueOn: addDays(today, 3), assigneeId: agent.id });
    const late = await ticket(db, { status: "received", dueOn: addDays(today, -2), assigneeId: agent.id });
    const edge = await ticket(db, { status: "in_progress", dueOn: addDays(today, 7), assigneeId: support.id });
    // Its clock is stopped while the requester is asked a question: neither overdue nor due, as in the queue.
    const paused = await ticket(db, { status: "awaiting_requester", dueOn: addDays(today, -3), assigneeId: support.id });
    const later = await ticket(db, { status: "ready", dueOn: addDays(today, 8), assigneeId: support.id });
    const orphan = await ticket(db, { status: "received", dueOn: addDays(today, -10) });
    const ofGone = await ticket(db, { status: "in_progress", dueOn: today, assigneeId: gone.id });
    const done = await ticket(db, { status: "completed", dueOn: addDays(today, -5), assigneeId: agent.id });
    const unverified = await ticket(db, { status: "awaiting_verification", dueOn: null, assigneeId: agent.id });

    const result = await sendReminders({ ctx: { db, now: new Date(), actor: { kind: "system" } } });
    expect(result).toEqual({ emails: 3, tickets: 5, alreadySent: false });

    const before = app.sink!.received.length;
    await app.deliver();
    const mails = app.sink!.received.slice(before);
    expect(mails.map(recipient).sort()).toEqual([agent.email, dpo.email, support.email].sort());
    const mailTo = (email: string) => mails.find((m) => recipient(m) === email)!;

    const agentMail = mailTo(agent.email);
    expect(agentMail.subject).toBe("Échéances RGPD : 2 demandes à traiter, dont 1 en retard");
    expect(agentMail.text).toContain(soon);
    expect(agentMail.text).toMatch(new RegExp(`EN RETARD — ${late} — Reçue — échéance le`));
    expect(agentMail.text).not.toContain(`EN RETARD — ${soon}`);
    for (const other of [edge, orphan, ofGone, done, unverified]) expect(agentMail.text).not.toContain(other);
    expect(agentMail.text).toContain("/admin?assignee=me");
    expect(textOf(String(agentMail.html))).toContain(late);

    const supportMail = mailTo(support.email);
    expect(supportMail.text).toContain(`${edge} — En cours`);
    expect(supportMail.text).not.toContain(later);
    expect(supportMail.text).not.toContain(paused);

    const dpoMail = mailTo(dpo.email);
    for (const ref of [soon, late, edge, orphan, ofGone]) expect(dpoMail.text).toContain(ref);
    for (const ref of [later, done, unverified, paused]) expect(dpoMail.text).not.toContain(ref);
    expect(dpoMail.text).toContain(`${orphan} — Reçue — échéance le`);
    expect(dpoMail.text).toMatch(new RegExp(`${orphan}.*non attribuée`));
    expect(dpoMail.subject).toBe("Échéances RGPD : 5 demandes à traiter, dont 2 en retard");

    for (const m of mails) {
      const all = `${m.subject}\n${m.text}\n${m.html}`;
      expect(all).not.toMatch(/Desmarc|Corinne|corinne|612345678/i);
    }

    const entry = await first(app.db().select().from(auditLog).where(eq(auditLog.action, "reminders.sent")));
    expect(entry?.details).toMatchObject({ day: today, emails: 3, tickets: 5, overdue: 2 });
    expect(entry?.actorKind).toBe("system");
  });

  it("sends nothing more the same day unless forced", async () => {
    const ctx = { db: app.db(), now: new Date(), actor: { kind: "system" as const } };
    const pending = async () => (await app.db().select().from(outbox).where(eq(outbox.template, "reminder_digest"))).length;
    const count = await pending();
    expect(await sendReminders({ ctx })).toEqual({ emails: 0, tickets: 0, alreadySent: true });
    expect(await pending()).toBe(count);
    expect(await sendReminders({ ctx, force: true })).toEqual({ emails: 3, tickets: 5, alreadySent: false });
    expect(await pending()).toBe(count + 3);
  });

  it("is for the DPO, admins and the scheduler only", async () => {
    const agent = await person("agent", "rappel.agent2", "paris");
    const actor = { kind: "staff" as const, id: agent.id, role: agent.role, site: agent.site, email: agent.email, displayName: agent.displayName };
    await expect(sendReminders({ ctx: { db: app.db(), now: new Date(), actor } })).rejects.toThrow(DomainError);
  });

  it("renders the digest in French and English, marking overdue tickets in words", () => {
    const data = {
      scope: "all" as const,
      today: "2026-11-23",
      tickets: [
        { reference: "DSR-2026-000012", status: "received" as const, dueOn: "2026-11-20", overdue: true, unassigned: true },
        { reference: "DSR-2026-000034", status: "in_progress" as const, dueOn: "2026-11-27", overdue: false },
      ],
      more: 3,
      overdue: 1,
      link: "https://droits.centrecall.example/admin",
    };
    const fr = reminderDigest(data, "fr");
    expect(fr.subject).toBe("Échéances RGPD : 5 demandes à traiter, dont 1 en retard");
    expect(fr.text).toContain("EN RETARD — DSR-2026-000012 — Reçue — échéance le vendredi 20 novembre 2026 — non attribuée");
    expect(fr.text).toContain("DSR-2026-000034 — En cours — échéance le vendredi 27 novembre 2026");
    expect(fr.text).toContain("5 demandes ouvertes arrivent à échéance sous 7 jours ou sont en retard (dont 1 en retard) :");
    expect(fr.text).toContain("… et 3 autres dans la file.");
    expect(fr.html).toContain('<html lang="fr">');
    const en = reminderDigest({ ...data, scope: "mine", overdue: 0, tickets: [data.tickets[1]!], more: 0 }, "en");
    expect(en.subject).toBe("GDPR deadlines: 1 request due within 7 days");
    // en-GB puts a comma after the weekday in recent ICU versions only
    expect(en.text).toMatch(/DSR-2026-000034 — In progress — due Friday,? 27 November 2026/);
    expect(en.text).toContain("1 of the requests assigned to you is due within 7 days or overdue:");
    expect(en.html).toContain('<html lang="en">');
  });
});

describe("operator CLI", () => {
  /** The operator CLI as an operator runs it: a separate process on the same database file. */
  const appDb = () => cliEnv(app.dir);

  it("staff create prints a one-time password that signs in over HTTP (then must be changed)", { timeout: 60_000 }, async () => {
    const run = await cli(["staff", "create", "--email", "Nouvelle.Recrue@centrecall.example", "--role", "support", "--site", "bordeaux", "--name", "Nouvelle Recrue"], appDb());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const password = run.stdout.match(/^one-time password: (\S+)$/m)?.[1];
    expect(password).toBeTruthy();
    const row = (await first(app.db().select().from(staff).where(eq(staff.email, "nouvelle.recrue@centrecall.example"))))!;
    expect(row).toMatchObject({ displayName: "Nouvelle Recrue", role: "support", site: "bordeaux", mustChangePassword: true, active: true });

    const browser = app.browser();
    const login = await browser.post("/admin/connexion", { email: "nouvelle.recrue@centrecall.example", password: password! });
    expect(login.status).toBe(302);
    expect(login.headers.get("location")).toBe("/admin/compte");
    expect((await browser.get("/admin/compte")).status).toBe(200);
  });

  it("staff create refuses a duplicate (exit 1) and a bad command line (exit 2)", { timeout: 90_000 }, async () => {
    const dup = await cli(["staff", "create", "--email", "nouvelle.recrue@centrecall.example", "--role", "agent", "--site", "tours"], appDb());
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain("already exists");
    expect(dup.stdout).not.toContain("one-time password");

    const badRole = await cli(["staff", "create", "--email", "x@centrecall.example", "--role", "boss", "--site", "tours"], appDb());
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain("--role must be one of admin, dpo, support, agent");

    const badSite = await cli(["staff", "create", "--email", "not-an-email", "--role", "agent", "--site", "lyon"], appDb());
    expect(badSite.code).toBe(2);
    expect(badSite.stderr).toContain("--email must be an email address");
    expect(badSite.stderr).toContain("--site must be one of lille, paris, tours, bordeaux, toulouse");

    const missing = await cli(["staff", "create", "--role", "agent"], appDb());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing --email, --site");

    const unknown = await cli(["staff", "create", "--email", "y@centrecall.example", "--role", "agent", "--site", "tours", "--admin"], appDb());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option --admin/);
    expect(await first(app.db().select().from(staff).where(eq(staff.email, "y@centrecall.example")))).toBeUndefined();
  });

  it("reminders sends the digests once a day on its own database", { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-cli-"));
    const env = cliEnv(dir, { DATABASE_URL: `file:${path.join(dir, "cli.sqlite")}` });
    try {
      expect((await cli(["staff", "create", "--email", "dpo@cli.example", "--role", "dpo", "--site", "tours"], env)).code).toBe(0);
      expect((await cli(["staff", "create", "--email", "agent@cli.example", "--role", "agent", "--site", "lille"], env)).code).toBe(0);
      const { db, sqlite } = openDatabase(env.DATABASE_URL!);
      try {
        const agent = (await first(db.select().from(staff).where(eq(staff.email, "agent@cli.example"))))!;
        const today = parisDate(new Date());
        const mine = await ticket(db, { status: "in_progress", dueOn: addDays(today, 1), assigneeId: agent.id });
        const nobody = await ticket(db, { status: "received", dueOn: addDays(today, -1) });
        await ticket(db, { status: "received", dueOn: addDays(today, 30), assigneeId: agent.id });

        const firstRun = await cli(["reminders"], env);
        expect(firstRun.code).toBe(0);
        expect(firstRun.stdout.trim()).toBe("sent 2 emails about 2 tickets");
        const again = await cli(["reminders"], env);
        expect(again.code).toBe(0);
        expect(again.stdout).toContain("sent 0 emails about 0 tickets");

        const queued = await db.select().from(outbox).where(eq(outbox.template, "reminder_digest"));
        expect(queued.map((m) => m.recipient).sort()).toEqual(["agent@cli.example", "dpo@cli.example"]);
        expect(queued.find((m) => m.recipient === "agent@cli.example")!.text).toContain(mine);
        expect(queued.find((m) => m.recipient === "dpo@cli.example")!.text).toContain(nobody);
        expect((await cli(["reminders", "--now"], env)).code).toBe(2);
      } finally {
        sqlite.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the older commands and shows the new ones in the usage", { timeout: 60_000 }, async () => {
    const status = await cli(["outbox", "status"], appDb());
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^pending \d+$/m);
    const help = await cli(["--help"], appDb());
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("staff create --email <email>");
    expect(help.stdout).toContain("reminders [--force]");
    const wrong = await cli(["staff", "delete"], appDb());
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('unknown command "staff delete"');
  });
});
