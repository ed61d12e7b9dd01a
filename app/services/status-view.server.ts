import { notifiedRecipients } from "./recipients.server";
import { scheduledLiftDue } from "./restriction.server";
import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import { archives } from "../../db/schema/archives";
import { REFUSAL_REASONS, type RefusalReason, type Right, type Status } from "../../db/schema/enums";
import { gatherJobs } from "../../db/schema/gather";
import { requestEvents, requestPauses, requests } from "../../db/schema/requests";
import { erasurePlans } from "../../db/schema/rights";
import type { DbOrTx } from "../utils/db.server";
import { isPublicEvent, type PublicEvent } from "./events";
import { lettersOf, type LetterSummary } from "./letters.server";
import { isClosed } from "./request-status";
import { openQuestion } from "./tickets.server";
import type { ControllerPart } from "../../emails/referrals";
import { controllerParts } from "./referrals.server";
import { first } from "../utils/db.server";

/**
 * The requester's status page (issue 13, item 7): the state of the request
 * in plain words, derived from what was actually done — a search under way,
 * a question waiting for them, an extension and its new date, an answer
 * ready, an erasure done, a refusal with its grounds, no data held — with
 * the letters sent, the archives (including those gone, and why), and a
 * timeline of the events that concern the person, each in words.
 */
export type PublicState =
  | "awaiting_verification"
  | "awaiting_mandate"
  | "received"
  | "searching"
  | "info_requested"
  | "extended"
  | "answer_ready"
  | "erasure_done"
  | "refused"
  | "no_data"
  | "completed"
  | "cancelled"
  | "closed_no_reply"
  | "duplicate"
  | "expired_unverified";

export type StatusView = {
  reference: string;
  rights: Right[];
  status: Status;
  state: PublicState;
  receivedAt: Date;
  /** null once the request is closed: there is no deadline left to show */
  dueOn: string | null;
  closedAt: Date | null;
  extended: boolean;
  paused: boolean;
  question: { question: string; askedAt: Date } | null;
  refusal: { reasons: RefusalReason[]; letterId: number | null } | null;
  archives: { id: number; kind: "access" | "portability"; expiresAt: Date; downloads: number }[];
  archivesGone: { id: number; kind: "access" | "portability"; purgedAt: Date; reason: "expired" | "erasure" | "data_changed" }[];
  certificate: boolean;
  /** Art. 18(3): a lift announced and not yet run: when, so the person can contest it before */
  liftDue: Date | null;
  /** Art. 19, last sentence: the companies told, and of what */
  notified: { recipient: string; kind: "erasure" | "rectification" | "restriction" | "restriction_lifted"; sentAt: Date }[];
  /** data held for a client as its processor: which company answers for that part, and where it stands */
  controllers: ControllerPart[];
  letters: LetterSummary[];
  events: { at: Date; type: PublicEvent }[];
};

export async function statusView(db: DbOrTx, requestId: number, now: Date): Promise<StatusView | null> {
  const r = await first(db.select().from(requests).where(eq(requests.id, requestId)));
  if (!r) return null;
  const events = await db
    .select({ at: requestEvents.at, type: requestEvents.type, data: requestEvents.data })
    .from(requestEvents)
    .where(eq(requestEvents.requestId, r.id))
    .orderBy(asc(requestEvents.at), asc(requestEvents.id));
  const paused = !!(await first(db.select({ id: requestPauses.id }).from(requestPauses).where(and(eq(requestPauses.requestId, r.id), isNull(requestPauses.endedAt)))));
  const allArchives = await db.select().from(archives).where(eq(archives.requestId, r.id)).orderBy(desc(archives.id));
  const live = allArchives.filter((a) => a.status === "ready" && a.expiresAt.getTime() > now.getTime());
  const gone = allArchives.filter((a) => a.status === "purged" && a.purgedAt);
  const certificate = !!(await first(db.select({ id: erasurePlans.id }).from(erasurePlans).where(and(eq(erasurePlans.requestId, r.id), eq(erasurePlans.status, "verified")))));
  const searching = !!(await first(db
    .select({ id: gatherJobs.id })
    .from(gatherJobs)
    .where(and(eq(gatherJobs.requestId, r.id), inArray(gatherJobs.status, ["queued", "running", "done", "skipped", "failed"])))));
  const letters = await lettersOf(db, r.id);
  const refusedEvent = events.filter((e) => e.type === "refused").at(-1);
  const question = r.status === "awaiting_requester" ? (await openQuestion(db, r.id)) : null;

  const state = ((): PublicState => {
    switch (r.status) {
      case "awaiting_verification":
      case "expired_unverified":
      case "refused":
      case "duplicate":
        return r.status;
      case "cancelled":
        return r.outcome === "no_reply" ? "closed_no_reply" : "cancelled";
      case "completed":
        return r.outcome === "no_data" ? "no_data" : "completed";
      case "awaiting_requester":
        return "info_requested";
    }
    if (certificate) return "erasure_done";
    if (live.length) return "answer_ready";
    if (r.onBehalf && r.mandateStatus !== "accepted") return "awaiting_mandate";
    if (r.extended) return "extended";
    if (searching || r.status === "in_progress" || r.status === "ready") return "searching";
    return "received";
  })();

  return {
    reference: r.reference,
    rights: r.rights,
    status: r.status,
    state,
    receivedAt: r.receivedAt,
    dueOn: isClosed(r.status) ? null : r.extended ? r.extendedDueOn : r.dueOn,
    closedAt: r.closedAt,
    extended: r.extended,
    paused,
    question: question ? { question: question.question, askedAt: question.askedAt } : null,
    refusal:
      r.status === "refused"
        ? {
            reasons: ((refusedEvent?.data?.reasons as string[] | undefined) ?? []).filter((x): x is RefusalReason => (REFUSAL_REASONS as readonly string[]).includes(x)),
            letterId: letters.filter((l) => l.kind === "refusal").at(-1)?.id ?? null,
          }
        : null,
    archives: live.map((a) => ({ id: a.id, kind: a.kind, expiresAt: a.expiresAt, downloads: a.downloads })),
    archivesGone: gone.map((a) => ({ id: a.id, kind: a.kind, purgedAt: a.purgedAt!, reason: a.purgeReason ?? "expired" })),
    certificate,
    liftDue: await scheduledLiftDue(db, r.id),
    notified: await notifiedRecipients(db, r.id),
    controllers: await controllerParts(db, r.id, null),
    letters,
    events: events.flatMap((e) => (isPublicEvent(e.type) ? [{ at: e.at, type: e.type }] : [])),
  };
}
