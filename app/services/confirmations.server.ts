import { and, desc, eq } from "drizzle-orm";
import { type RefusalReason } from "../../db/schema/enums";
import { letters, type RequestRow } from "../../db/schema/requests";
import { outbox } from "../../db/schema/outbox";
import type { Registry } from "../connectors/registry";
import type { DbOrTx } from "../utils/db.server";
import { env } from "../utils/env.server";
import { requireRole, requireStaff } from "./authz";
import { reach } from "./contacts.server";
import type { Ctx } from "./context";
import { releasable } from "./delivery.server";
import { planView } from "./erasure.server";
import { DomainError } from "./errors";
import { gatherStatus } from "./gather.server";
import { unreachable } from "./letters.server";
import { requireControllersAnswered } from "./referrals.server";
import { canTransition } from "./request-status";
import { loadTicket } from "./ticket-access.server";
import { first } from "../utils/db.server";

/**
 * The actions on the ticket page that cannot be undone: the person is told,
 * the ticket closes, an archive goes out, records are erased. The page asks
 * for confirmation first, stating what will happen for this ticket, and the
 * route acts only on a second POST carrying `confirmed=1`: a forged single
 * POST changes nothing.
 */
export const IRREVERSIBLE = ["refuse", "cancel", "complete", "release-access", "release-portability", "erasure-approve"] as const;
export type Irreversible = (typeof IRREVERSIBLE)[number];
export const isIrreversible = (intent: string): intent is Irreversible => (IRREVERSIBLE as readonly string[]).includes(intent);

/** How the person hears of it: the contact the notice will use (the same choice as `notifyRequester`). */
export type Channel = "email" | "sms" | "post";

export type ErasureLine = { system: string; deleted: number; anonymised: number; pseudonymised: number; kept: number };

/** The facts a confirmation states; the words are in app/i18n/admin/ticket-page.ts. */
export type Consequence =
  | { intent: "refuse"; reference: string; channel: Channel; reasons: RefusalReason[] }
  | { intent: "cancel" | "complete"; reference: string; channel: Channel }
  | { intent: "release-access" | "release-portability"; reference: string; channel: Channel; systems: number; records: number; files: number; ttlDays: number }
  | { intent: "erasure-approve"; reference: string; channel: Channel; lines: ErasureLine[] };

async function channelOf(db: DbOrTx, r: RequestRow, disclosure: boolean): Promise<Channel> {
  const to = await reach(db, r, { disclosure });
  if (!to) throw unreachable(disclosure);
  return to.channel;
}

/**
 * What the action would do, checked as the action itself checks (role,
 * status, a contact to tell), without doing any of it: a confirmation is
 * never offered for something that would then be refused.
 */
export async function consequenceOf({ ctx, reference, intent, reasons, registry }: { ctx: Ctx; reference: string; intent: Irreversible; reasons: RefusalReason[]; registry: Registry }): Promise<Consequence> {
  const me = requireStaff(ctx.actor);
  const r = await loadTicket(ctx.db, me, reference);
  switch (intent) {
    case "refuse":
      requireRole(me, "dpo");
      if (!canTransition(r.status, "refused")) throw new DomainError("illegal_transition", { from: r.status, to: "refused" });
      return { intent, reference: r.reference, channel: await channelOf(ctx.db, r, false), reasons };
    case "cancel":
    case "complete": {
      requireRole(me, "dpo", "support");
      const to = intent === "cancel" ? "cancelled" : "completed";
      if (!canTransition(r.status, to)) throw new DomainError("illegal_transition", { from: r.status, to });
      // Closing while a client's instructions are awaited is refused by `complete`: said now, not after the confirmation.
      if (intent === "complete") await requireControllersAnswered(ctx.db, r.id);
      return { intent, reference: r.reference, channel: await channelOf(ctx.db, r, false) };
    }
    case "release-access":
    case "release-portability": {
      const kind = intent === "release-access" ? "access" : "portability";
      // What the release itself checks (role, right, status, every system searched, something held, no withholding pending, a contact):
      // a confirmation is never offered for what it would refuse.
      const { channel } = await releasable(ctx.db, me, r, kind);
      const gathered = (await gatherStatus(ctx.db, r.id, registry)).filter((g) => g.status === "done");
      const found = gathered.filter((g) => (g.records ?? 0) > 0);
      return {
        intent,
        reference: r.reference,
        channel,
        systems: found.length,
        records: found.reduce((n, g) => n + (g.records ?? 0), 0),
        files: found.reduce((n, g) => n + (g.files ?? 0), 0),
        ttlDays: env().ARCHIVE_LINK_TTL_DAYS,
      };
    }
    case "erasure-approve": {
      requireRole(me, "dpo");
      const plan = await planView(ctx.db, r.id);
      if (!plan || plan.status !== "planned") throw new DomainError("illegal_transition", { code: "no_plan_to_approve" });
      if (plan.preparedById === me.id) throw new DomainError("forbidden", { code: "four_eyes" });
      const lines = plan.connectors.map((c) => {
        const n = (o: string) => c.rows.filter((x) => x.outcome === o).reduce((s, x) => s + x.count, 0);
        return { system: c.label, deleted: n("deleted"), anonymised: n("anonymised"), pseudonymised: n("pseudonymised"), kept: n("kept") };
      });
      return { intent, reference: r.reference, channel: await channelOf(ctx.db, r, true), lines };
    }
  }
}

/** The notice an action sent, and where it stands in the outbox: what the feedback after it can truly say. */
export type SentNotice = { delivery: Channel; createdAt: Date; state: "sent" | "queued" | "expired" | "to_post" | "posted"; sentAt: Date | null } | null;

export async function latestNotice(db: DbOrTx, requestId: number, kind: string): Promise<SentNotice> {
  const row = await first(db
    .select({ delivery: letters.delivery, createdAt: letters.createdAt, postedAt: letters.postedAt, status: outbox.status, sentAt: outbox.sentAt })
    .from(letters)
    .leftJoin(outbox, eq(outbox.id, letters.outboxId))
    .where(and(eq(letters.requestId, requestId), eq(letters.kind, kind)))
    .orderBy(desc(letters.id)));
  if (!row) return null;
  const state = row.delivery === "post" ? (row.postedAt ? "posted" : "to_post") : row.status === "sent" ? "sent" : row.status === "expired" ? "expired" : "queued";
  return { delivery: row.delivery, createdAt: row.createdAt, state, sentAt: row.delivery === "post" ? row.postedAt : (row.sentAt ?? null) };
}
