import { eq } from "drizzle-orm";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../db/schema/audit";
import { outbox } from "../db/schema/outbox";
import { requests } from "../db/schema/requests";
import { addDays, isWorkingDay, parisDate } from "../app/services/deadlines";
import { createStaff } from "../app/services/staff.server";
import { startApp, type TestApp } from "./helpers/app";
import { onPostgres } from "./helpers/postgres";
import { cliEnv, run, startWorker, until } from "./helpers/processes";
import { fileOne } from "./helpers/requester";

/**
 * `npm run worker` (scripts/worker.ts) as production runs it: real processes
 * beside a web process that has no workers (the test app, WORKERS=0), on one
 * database, mail to a real SMTP sink.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

const workerEnv = (env: Record<string, string> = {}) =>
  cliEnv(app.dir, {
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    SMTP_URL: app.sink!.url,
    SMS_GATEWAY_URL: "http://127.0.0.1:9/unused",
    CONNECTORS_CONFIG: path.join(app.dir, "no-connectors.json"),
    REMINDERS_HOUR: "0",
    ...env,
  });

describe("npm run worker", () => {
  // First: any worker's first sweep on a working day claims the day's digest.
  it("two workers started together send the day's deadline digest once (on a working day; none on other days)", async () => {
    const now = new Date();
    const today = parisDate(now);
    const dpo = await createStaff({
      ctx: { db: app.db(), now, actor: { kind: "system" } },
      input: { email: "digest.dpo@centrecall.example", displayName: "Digest DPO", role: "dpo", site: "tours" },
      password: "correct horse battery staple",
    });
    // One ticket overdue: the DPO's digest lists it.
    const at = new Date(now.getTime() - 40 * 86_400_000);
    await app.db().insert(requests).values({
      reference: "DSR-2026-990001",
      rights: ["access"],
      channel: "web",
      status: "in_progress",
      locale: "fr",
      lastName: "Desmarc",
      firstName: "Corinne",
      email: "corinne.desmarc@example.fr",
      verificationMethod: "email",
      receivedAt: at,
      dueOn: addDays(today, -3),
      effectiveDueOn: addDays(today, -3),
      createdAt: at,
      updatedAt: at,
    });
    const before = app.sink!.received.length;

    // Started together: both run their first sweep, which starts the digest, at the same moment.
    const workers = await Promise.all([startWorker(workerEnv()), startWorker(workerEnv())]);
    const digestsToDpo = () => app.sink!.received.slice(before).filter((m) => JSON.stringify(m.to).includes(dpo.staff.email));
    if (isWorkingDay(today)) await until(() => digestsToDpo().length > 0, "the digest");
    // Time for a second digest to be queued and sent, if one were.
    await new Promise((r) => setTimeout(r, 3_000));
    const outcomes = await Promise.all(workers.map((w) => w.stop()));
    for (const o of outcomes) expect(o.code, o.stderr).toBe(0);

    const queued = await app.db().select().from(outbox).where(eq(outbox.template, "reminder_digest"));
    const sent = await app.db().select().from(auditLog).where(eq(auditLog.action, "reminders.sent"));
    const digests = digestsToDpo();
    if (isWorkingDay(today)) {
      expect(sent).toHaveLength(1);
      expect(queued).toHaveLength(1);
      expect(digests).toHaveLength(1);
      expect(digests[0]!.text).toContain("DSR-2026-990001");
      expect(digests[0]!.text).not.toContain("Desmarc");
    } else {
      expect(sent).toHaveLength(0);
      expect(queued).toHaveLength(0);
      expect(digests).toHaveLength(0);
    }
  });
  it("sends what the web process queued, then stops cleanly on SIGTERM, printing no secret", async () => {
    const { reference } = await fileOne(app);
    const w = await startWorker(workerEnv());
    await until(() => app.sink!.received.some((m) => m.text?.includes(reference) || m.subject?.includes(reference)), "the confirmation email");
    const done = await w.stop();
    expect(done.signal).toBeNull();
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(onPostgres ? /RightsDesk worker started \(pid \d+, PostgreSQL, test\)/ : /RightsDesk worker started \(pid \d+, SQLite, test\)/);
    expect(done.stdout).toContain("RightsDesk worker stopping (SIGTERM)");
    const printed = done.stdout + done.stderr;
    expect(printed).not.toContain(process.env.APP_SECRET!);
  });

  it("refuses to start on a bad configuration, saying what is wrong", async () => {
    const done = await run("scripts/worker.ts", [], workerEnv({ APP_ENV: "production", REMINDERS_HOUR: "25" }));
    expect(done.code).toBe(1);
    expect(done.stderr).toContain("Invalid configuration");
    expect(done.stderr).toContain("REMINDERS_HOUR");
    expect(done.stderr).toContain("SUPPRESSION_HASH_KEY is required when APP_ENV=production");
  });

});
