import { and, asc, eq, gte, lt, or } from "drizzle-orm";
import type { Locale } from "../../db/schema/enums";
import { auditLog } from "../../db/schema/audit";
import { rateLimits } from "../../db/schema/rate-limits";
import { requests } from "../../db/schema/requests";
import { staff } from "../../db/schema/staff";
import { reminderDigest, type DigestTicket } from "../../emails/reminder-digest";
import { env } from "../utils/env.server";
import { log } from "../utils/log.server";
import * as audit from "./audit.server";
import { requireRole } from "./authz";
import type { Ctx } from "./context";
import { addDays, parisDate } from "./deadlines";
import { dueState, dueWhere } from "./due-state";
import { enqueue } from "./outbox.server";
import { parisLocalToInstant } from "../utils/paris-time";
import { withTx, first, type Tx } from "../utils/db.server";

/**
 * The day's claim on the digest: a fixed window of one run per Paris day in
 * the rate-limit counters. The upsert wins only where the row is missing or
 * dated before today; a second transaction racing the first waits on the
 * row (PostgreSQL's unique key, SQLite's write lock) and then finds it
 * dated today, so whichever of several workers runs first sends the digest
 * and the others send nothing. Not personal data: the key is a constant.
 */
async function claimDay(tx: Tx, dayStart: Date, now: Date): Promise<boolean> {
  const key = "daily:reminders";
  const claimed = await tx
    .insert(rateLimits)
    .values({ key, windowStart: now, count: 1 })
    .onConflictDoUpdate({ target: rateLimits.key, set: { windowStart: now, count: 1 }, setWhere: lt(rateLimits.windowStart, dayStart) })
    .returning({ key: rateLimits.key });
  return claimed.length === 1;
}

/** A digest longer than this is not read; the rest is counted and the queue has it all. */
const LIST_CAP = 100;

export type ReminderRun = { emails: number; tickets: number; alreadySent: boolean };

/**
 * The daily deadline digest: each active assignee gets one email listing
 * their open tickets due within 7 days or overdue; each active DPO gets one
 * listing all of them (assigned or not) instead of a personal one. Everything
 * happens in one transaction with the audit entry, and a second run on the
 * same Paris day sends nothing unless `force` is set.
 *
 * Staff accounts have no language setting, so digests are in French unless
 * the caller says otherwise.
 */
export async function sendReminders({ ctx, locale = "fr", force = false }: { ctx: Ctx; locale?: Locale; force?: boolean }): Promise<ReminderRun> {
  if (ctx.actor.kind !== "system") requireRole(ctx.actor, "dpo", "admin");
  const today = parisDate(ctx.now);
  const dayStart = parisLocalToInstant(`${today}T00:00`)!;
  const dayEnd = parisLocalToInstant(`${addDays(today, 1)}T00:00`)!;
  const queueLink = `${env().BASE_URL}/admin`;

  // The day's claim and the journal check: two schedulers starting together cannot both see "not sent yet".
  const run = await withTx(ctx, async (tx) => {
      if (!force) {
        if (!(await claimDay(tx, dayStart, ctx.now))) return { emails: 0, tickets: 0, alreadySent: true };
        const sent = await first(tx
          .select({ seq: auditLog.seq })
          .from(auditLog)
          .where(and(eq(auditLog.action, "reminders.sent"), gte(auditLog.at, dayStart), lt(auditLog.at, dayEnd)))
          .limit(1));
        if (sent) return { emails: 0, tickets: 0, alreadySent: true };
      }
      const due = await tx
        .select({ reference: requests.reference, status: requests.status, dueOn: requests.effectiveDueOn, assigneeId: requests.assigneeId })
        .from(requests)
        // Overdue or due soon as the queue counts them: a paused ticket (clock stopped) is neither.
        .where(or(dueWhere("overdue", today), dueWhere("soon", today)))
        .orderBy(asc(requests.effectiveDueOn), asc(requests.id));
      const people = await tx.select({ id: staff.id, email: staff.email, role: staff.role }).from(staff).where(eq(staff.active, true));
      const byId = new Map(people.map((p) => [p.id, p]));

      const asDigest = (t: (typeof due)[number]): DigestTicket => ({
        reference: t.reference,
        status: t.status,
        dueOn: t.dueOn!,
        overdue: dueState(t.status, t.dueOn, today) === "overdue",
        unassigned: t.assigneeId === null,
      });
      const covered = new Set<string>();
      let emails = 0;
      const send = async (to: string, scope: "mine" | "all", tickets: typeof due, link: string) => {
        const listed = tickets.slice(0, LIST_CAP);
        const m = reminderDigest(
          { scope, today, tickets: listed.map(asDigest), more: tickets.length - listed.length, overdue: tickets.filter((t) => dueState(t.status, t.dueOn, today) === "overdue").length, link },
          locale,
        );
        await enqueue(tx, { channel: "email", to, template: "reminder_digest", ...m }, ctx.now);
        for (const t of tickets) covered.add(t.reference);
        emails++;
      };

      const mine = new Map<number, typeof due>();
      for (const t of due) {
        if (t.assigneeId === null) continue;
        const list = mine.get(t.assigneeId) ?? [];
        list.push(t);
        mine.set(t.assigneeId, list);
      }
      for (const [id, tickets] of mine) {
        const person = byId.get(id);
        // Inactive accounts get nothing; a DPO reads their own tickets in the full digest.
        if (!person || person.role === "dpo") continue;
        await send(person.email, "mine", tickets, `${queueLink}?assignee=me`);
      }
      if (due.length) for (const dpo of people.filter((p) => p.role === "dpo")) await send(dpo.email, "all", due, queueLink);

      const result = { emails, tickets: covered.size, alreadySent: false };
      await audit.append(tx, {
        actor: ctx.actor,
        action: "reminders.sent",
        details: { day: today, emails, tickets: covered.size, due: due.length, overdue: due.filter((t) => dueState(t.status, t.dueOn, today) === "overdue").length },
        at: ctx.now,
      });
      return result;
    },
  );
  log.info("reminders.sent", { emails: run.emails, tickets: run.tickets, alreadySent: run.alreadySent });
  return run;
}
