import { and, asc, desc, eq, isNull, lt, lte, or, sql } from "drizzle-orm";
import { outbox, type OutboxMessage } from "../../db/schema/outbox";
import { insertReturning, type Db, type DbOrTx } from "../utils/db.server";
import { log, scrub } from "../utils/log.server";
import { transports as defaultTransports, type Transports } from "../utils/mailer.server";

export type NewMessage =
  | { channel: "email"; to: string; template: string; subject: string; text: string; html: string; requestId?: number }
  | { channel: "sms"; to: string; template: string; text: string; requestId?: number };

/** Call inside the transaction that owes the message: both commit or neither. */
/** Queues a message in the caller's transaction; returns its outbox id. */
export function enqueue(tx: DbOrTx, m: NewMessage, now: Date): number {
  return insertReturning(tx, outbox, {
    channel: m.channel,
    recipient: m.to,
    template: m.template,
    subject: m.channel === "email" ? m.subject : null,
    text: m.text,
    html: m.channel === "email" ? m.html : null,
    requestId: m.requestId ?? null,
    nextAttemptAt: now,
    createdAt: now,
  }).id;
}

const LEASE_MS = 60_000;
const MAX_BACKOFF_MS = 30 * 60_000;

/** 30 s, 1 min, 2 min … capped at 30 min: a message is retried until it goes. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 30_000 * 2 ** Math.max(0, attempts - 1));
}

export type DeliveryReport = { sent: number; failed: number };

/**
 * One pass of the sender loop. Each message is leased before sending, so two
 * processes sharing the database never send the same message twice at once.
 */
export async function deliverDue(opts: { db: Db; now?: Date; transports?: Transports; batch?: number }): Promise<DeliveryReport> {
  const now = opts.now ?? new Date();
  const t = opts.transports ?? defaultTransports();
  const due = opts.db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.status, "pending"),
        lte(outbox.nextAttemptAt, now),
        or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now)),
      ),
    )
    .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
    .limit(opts.batch ?? 50)
    .all();
  const report: DeliveryReport = { sent: 0, failed: 0 };
  for (const { id } of due) {
    const claimed = opts.db
      .update(outbox)
      .set({ leaseUntil: new Date(now.getTime() + LEASE_MS) })
      .where(and(eq(outbox.id, id), eq(outbox.status, "pending"), or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now))))
      .returning()
      .get();
    if (!claimed) continue;
    try {
      const transport = claimed.channel === "email" ? t.email : t.sms;
      if (claimed.channel === "email") {
        await t.email.send({ to: claimed.recipient, subject: claimed.subject ?? "", text: claimed.text, html: claimed.html });
      } else {
        await t.sms.send({ to: claimed.recipient, text: claimed.text });
      }
      opts.db
        .update(outbox)
        .set({ status: "sent", sentAt: new Date(), attempts: claimed.attempts + 1, leaseUntil: null, lastError: null, transport: transport.name })
        .where(eq(outbox.id, id))
        .run();
      report.sent++;
    } catch (error) {
      const attempts = claimed.attempts + 1;
      const message = scrub(error instanceof Error ? error.message : String(error));
      opts.db
        .update(outbox)
        .set({ attempts, nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)), leaseUntil: null, lastError: message })
        .where(eq(outbox.id, id))
        .run();
      log.warn("outbox.delivery_failed", { id, channel: claimed.channel, template: claimed.template, attempts, error: message });
      report.failed++;
    }
  }
  return report;
}

export function pendingCount(db: DbOrTx): number {
  return db.get<{ n: number }>(sql`SELECT count(*) AS n FROM outbox WHERE status = 'pending'`).n;
}

/** For the development outbox page only. */
export function listRecent(db: DbOrTx, limit = 100): OutboxMessage[] {
  return db.select().from(outbox).orderBy(desc(outbox.id)).limit(limit).all();
}

export function getMessage(db: DbOrTx, id: number): OutboxMessage | undefined {
  return db.select().from(outbox).where(eq(outbox.id, id)).get();
}
