import { and, asc, desc, eq, isNull, lt, lte, or, sql, type SQL } from "drizzle-orm";
import { outbox, type OutboxMessage } from "../../db/schema/outbox";
import { requests } from "../../db/schema/requests";
import { expiredKind, expiredNotice } from "../../emails/sms-code";
import { env } from "../utils/env.server";
import { insertReturning, type Db, type DbOrTx, first, withTx, changes, rawGet } from "../utils/db.server";
import { log, scrub } from "../utils/log.server";
import { transports as defaultTransports, type Transports } from "../utils/mailer.server";

/** `expiresAt`: the code or link it carries stops working then; it is never sent after (issue 14, item 15). */
export type NewMessage =
  | { channel: "email"; to: string; template: string; subject: string; text: string; html: string; requestId?: number; expiresAt?: Date }
  | { channel: "sms"; to: string; template: string; text: string; requestId?: number; expiresAt?: Date };

/** Call inside the transaction that owes the message: both commit or neither. */
/** Queues a message in the caller's transaction; returns its outbox id. */
export async function enqueue(tx: DbOrTx, m: NewMessage, now: Date): Promise<number> {
  return (await insertReturning(tx, outbox, {
    channel: m.channel,
    recipient: m.to,
    template: m.template,
    subject: m.channel === "email" ? m.subject : null,
    text: m.text,
    html: m.channel === "email" ? m.html : null,
    requestId: m.requestId ?? null,
    nextAttemptAt: now,
    createdAt: now,
    ...(m.expiresAt ? { expiresAt: m.expiresAt } : {}),
  })).id;
}

const MAX_BACKOFF_MS = 30 * 60_000;

/** 30 s, 1 min, 2 min … capped at 30 min: a message is retried until it goes. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 30_000 * 2 ** Math.max(0, attempts - 1));
}

export type DeliveryReport = { sent: number; failed: number; expired: number };

/**
 * One pass of the sender loop. Each message is claimed just before it is
 * sent, by compare-and-set on its lease as of that moment (not as of the
 * start of the pass: with a slow SMTP server the later messages' leases had
 * already run out when they were taken, and another process sent them too),
 * and the lease outlasts any send (OUTBOX_LEASE_SECONDS against the
 * transports' own timeouts). Marking it sent is fenced by that lease. A
 * message whose code or link expired before it could go is not sent: the
 * person gets a notice to ask for a new one instead.
 */
export async function deliverDue(opts: { db: Db; now?: Date; transports?: Transports; batch?: number }): Promise<DeliveryReport> {
  const started = Date.now();
  const base = opts.now ?? new Date();
  // This pass's clock: the time given (tests deliver "later"), moving on in real time while messages go out.
  const clock = () => new Date(base.getTime() + (Date.now() - started));
  const leaseMs = env().OUTBOX_LEASE_SECONDS * 1000;
  const t = opts.transports ?? defaultTransports();
  const due = await opts.db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.status, "pending"),
        lte(outbox.nextAttemptAt, base),
        or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, base)),
      ),
    )
    .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
    .limit(opts.batch ?? 50);
  const report: DeliveryReport = { sent: 0, failed: 0, expired: 0 };
  for (const { id } of due) {
    const at = clock();
    const leaseUntil = new Date(at.getTime() + leaseMs);
    const claimed = (await first(opts.db
      .update(outbox)
      .set({ leaseUntil })
      .where(and(eq(outbox.id, id), eq(outbox.status, "pending"), lte(outbox.nextAttemptAt, at), or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, at))))
      .returning()))!;
    if (!claimed) continue;
    const ours = and(eq(outbox.id, id), eq(outbox.leaseUntil, leaseUntil));
    if (claimed.expiresAt && claimed.expiresAt.getTime() <= at.getTime()) {
      await expireUnsent(opts.db, claimed, ours, at);
      report.expired++;
      continue;
    }
    try {
      const transport = claimed.channel === "email" ? t.email : t.sms;
      if (claimed.channel === "email") {
        await t.email.send({ to: claimed.recipient, subject: claimed.subject ?? "", text: claimed.text, html: claimed.html });
      } else {
        await t.sms.send({ to: claimed.recipient, text: claimed.text });
      }
      const marked = await opts.db
        .update(outbox)
        .set({ status: "sent", sentAt: new Date(), attempts: claimed.attempts + 1, leaseUntil: null, lastError: null, transport: transport.name })
        .where(ours);
      // Sent, but the lease ran out meanwhile: say so, it means OUTBOX_LEASE_SECONDS is shorter than a send.
      if (marked.changes !== 1) log.warn("outbox.lease_lost", { id, channel: claimed.channel, template: claimed.template });
      report.sent++;
    } catch (error) {
      const attempts = claimed.attempts + 1;
      const message = scrub(error instanceof Error ? error.message : String(error));
      await opts.db
        .update(outbox)
        .set({ attempts, nextAttemptAt: new Date(clock().getTime() + backoffMs(attempts)), leaseUntil: null, lastError: message })
        .where(ours);
      log.warn("outbox.delivery_failed", { id, channel: claimed.channel, template: claimed.template, attempts, error: message });
      report.failed++;
    }
  }
  return report;
}

/** The code or link expired before it could be sent: never sent late; the person is told to ask for a new one. */
async function expireUnsent(db: Db, m: OutboxMessage, ours: SQL | undefined, at: Date) {
  await withTx(db, async (tx) => {
    if ((changes(await tx.update(outbox).set({ status: "expired", leaseUntil: null, lastError: "expired before it could be sent" }).where(ours))) !== 1) return;
    const r = m.requestId ? (await first(tx.select({ reference: requests.reference, locale: requests.locale }).from(requests).where(eq(requests.id, m.requestId)))) : undefined;
    const notice = expiredNotice({ reference: r?.reference ?? "", kind: expiredKind(m.template) }, r?.locale ?? "fr");
    if (m.channel === "email") await enqueue(tx, { channel: "email", to: m.recipient, template: `${m.template}_expired`, ...notice, requestId: m.requestId ?? undefined }, at);
    else await enqueue(tx, { channel: "sms", to: m.recipient, template: `${m.template}_expired`, text: notice.sms, requestId: m.requestId ?? undefined }, at);
  });
  log.warn("outbox.expired_unsent", { id: m.id, channel: m.channel, template: m.template });
}

export async function pendingCount(db: DbOrTx): Promise<number> {
  return (await rawGet<{ n: number }>(db, sql`SELECT count(*) AS n FROM outbox WHERE status = 'pending'`))!.n;
}

/** For the development outbox page only. */
export async function listRecent(db: DbOrTx, limit = 100): Promise<OutboxMessage[]> {
  return await db.select().from(outbox).orderBy(desc(outbox.id)).limit(limit);
}

export async function getMessage(db: DbOrTx, id: number): Promise<OutboxMessage | undefined> {
  return await first(db.select().from(outbox).where(eq(outbox.id, id)));
}
