import { and, eq, inArray } from "drizzle-orm";
import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import { gatheredItems } from "../../db/schema/gather";
import { processingOperations } from "../../db/schema/register";
import type { RequestRow } from "../../db/schema/requests";
import { noDataAnswer, smsNoData, type SearchReport, type SearchedIdentifier } from "../../emails/answers";
import type { Registry } from "../connectors/registry";
import type { DbOrTx } from "../utils/db.server";
import * as audit from "./audit.server";
import { requireRole } from "./authz";
import type { Ctx } from "./context";
import { parisDate } from "./deadlines";
import { DomainError } from "./errors";
import { loadTicket } from "./ticket-access.server";
import { gatheredAt, outcomeOf, requireAnswerable } from "./gather.server";
import { currentJobs } from "./gather-store.server";
import { decidedIdentifiers, searchIdentifiers } from "./identifiers.server";
import { notifyRequester } from "./letters.server";
import { addEvent, setStatus } from "./requests.server";
import { REQUEST_HANDLING_DATASET } from "./register.server";
import { withTx } from "../utils/db.server";

/**
 * The facts every answer states (DESIGN.md, "Roles and answers"): which
 * systems were searched, with which identifiers and where each came from,
 * and what each answered — found, nothing, not searched (and why), failed —
 * with the DPO's reason where the answer goes out all the same.
 */
export async function searchReport(db: DbOrTx, r: RequestRow, registry: Pick<Registry, "get">): Promise<SearchReport> {
  const jobs = await requireAnswerable(db, r.id);
  const decided = await decidedIdentifiers(db, r.id);
  const identifiers: SearchedIdentifier[] = (await searchIdentifiers(db, r)).map((i) => {
    const row = decided.find((d) => d.kind === i.kind && d.value === i.value);
    const provenAt = i.origin === "proven_email" ? r.emailVerifiedAt : i.origin === "proven_phone" ? r.phoneVerifiedAt : i.origin === "proven_postal" ? r.postalVerifiedAt : row?.decidedAt;
    return {
      kind: i.kind as SearchedIdentifier["kind"],
      shown: shown(i.kind, i.value),
      origin: i.origin,
      source: i.source ? (registry.get(i.source)?.label ?? i.source) : undefined,
      on: provenAt ? parisDate(provenAt) : undefined,
    };
  });
  const last = jobs.reduce((t, j) => Math.max(t, gatheredAt(j).getTime()), 0);
  return {
    on: parisDate(new Date(last)),
    identifiers,
    systems: jobs.map((j) => {
      const outcome = outcomeOf(j);
      return {
        label: registry.get(j.connectorId)?.label ?? j.connectorId,
        outcome: outcome === "pending" ? "failed" : outcome,
        records: j.records ?? 0,
        kinds: [...new Set((j.identifiers ?? []).map((x) => x.kind))],
        missing: j.missing ?? [],
        waiver: j.waiverReason,
      };
    }),
  };
}

/** How an identifier is written in a letter: a French number as it is dialled, a name and postcode plainly. */
function shown(kind: string, value: string): string {
  if (kind === "phone") {
    const p = parsePhoneNumberFromString(value);
    return p ? (p.country === "FR" ? p.formatNational() : p.formatInternational()) : value;
  }
  if (kind === "name_postcode") {
    const [last, first, postcode] = JSON.parse(value) as string[];
    return `${first} ${last}, ${postcode}`;
  }
  return value;
}

/** OP-07's retention, in words, for what RightsDesk keeps of the request itself. */
export async function proofRetention(db: DbOrTx, locale: "fr" | "en"): Promise<string> {
  const op = (await db.select().from(processingOperations)).find((o) => o.datasets.includes(REQUEST_HANDLING_DATASET));
  const years = Math.max(1, Math.round((op?.retentionDays ?? 1826) / 365));
  const code = op?.code ?? "OP-07";
  return locale === "en" ? `for ${years} years after the request is closed (our record of processing, ${code})` : `pendant ${years} ans après la clôture de la demande (registre des traitements, ${code})`;
}

/** Nothing was found anywhere the search could reach (no record, no file). */
export async function nothingHeld(db: DbOrTx, requestId: number): Promise<boolean> {
  // What each system's current search holds (currentJobs), not what an earlier or unfinished one wrote.
  const current = await currentJobs(db, requestId);
  if (current.size === 0) return true;
  return !(await db
    .select({ jobId: gatheredItems.jobId, attempt: gatheredItems.attempt })
    .from(gatheredItems)
    .where(and(eq(gatheredItems.requestId, requestId), inArray(gatheredItems.kind, ["record", "file"]), inArray(gatheredItems.jobId, [...current.keys()]))))
    .some((i) => current.get(i.jobId) === i.attempt);
}

/**
 * The answer when no system holds anything about the person (issue 13,
 * item 5): a plain letter saying so, with the systems searched, the
 * identifiers and their origin and the date — no archive, and for an
 * erasure no certificate of deletion over an empty table. The request
 * closes with the outcome "no data". DPO only, like every access answer.
 */
export async function answerNoData({ ctx, reference, registry }: { ctx: Ctx; reference: string; registry: Pick<Registry, "get"> }) {
  const me = requireRole(ctx.actor, "dpo");
  return await withTx(ctx, async (tx) => {
    const r = await loadTicket(tx, me, reference);
    if (!r.rights.some((x) => x === "access" || x === "erasure" || x === "portability")) throw new DomainError("illegal_transition", { code: "no_data_answer_not_applicable" });
    if (!["received", "in_progress", "ready"].includes(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "completed" });
    const report = await searchReport(tx, r, registry);
    if (!(await nothingHeld(tx, r.id)) || report.systems.some((s) => s.outcome === "found")) throw new DomainError("illegal_transition", { code: "data_found" });
    if (report.identifiers.length === 0) throw new DomainError("illegal_transition", { code: "nothing_searched" });
    // The state machine's own path to "completed", each step checked.
    const path = ({ received: ["in_progress", "ready", "completed"], in_progress: ["ready", "completed"], ready: ["completed"] } as const)[r.status as "received" | "in_progress" | "ready"];
    let status = r.status;
    for (const next of path) {
      await setStatus(tx, { ...r, status }, next, ctx.now, next === "completed" ? { closedAt: ctx.now, outcome: "no_data" } : {});
      status = next;
    }
    const sent = await notifyRequester(tx, ctx, r, {
      kind: "no_data",
      template: "no_data",
      message: noDataAnswer({ reference: r.reference, rights: r.rights, report, proofRetention: await proofRetention(tx, r.locale) }, r.locale),
      sms: (link) => smsNoData({ reference: r.reference, link }, r.locale),
      disclosure: true,
    });
    await addEvent(tx, r.id, ctx, "answered_no_data", { systems: report.systems.length, delivery: sent.delivery });
    await audit.append(tx, {
      actor: me,
      action: "ticket.answered_no_data",
      reference,
      details: { systems: report.systems.map((s) => ({ system: s.label, outcome: s.outcome })), identifiers: report.identifiers.map((i) => ({ kind: i.kind, origin: i.origin })), letter: sent.letterId },
      at: ctx.now,
    });
    return sent;
  });
}
