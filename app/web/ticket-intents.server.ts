import type { z } from "zod";
import type { RefusalReason } from "../../db/schema/enums";
import type { TicketPageMessages } from "../i18n/admin/ticket-page";
import { isIrreversible, type Irreversible } from "../services/confirmations.server";
import { checkCallerCode, checkContactCode, confirmCallback, numberOnRecord, resendCallerCode, sendContactCode } from "../services/agent-intake.server";
import { answerNoData } from "../services/answers.server";
import type { Ctx } from "../services/context";
import { releaseArchive } from "../services/delivery.server";
import { acknowledgeNotice, approveErasure, planErasure } from "../services/erasure.server";
import { chooseDateReading } from "../services/date-readings.server";
import { rerunConnector, startGather, waiveConnector } from "../services/gather.server";
import { decideFoundIdentifier } from "../services/identifiers.server";
import { markPosted } from "../services/letters.server";
import { reviewMandate } from "../services/mandates.server";
import { approveRectification, prepareRectification } from "../services/rectification.server";
import { acknowledgeReferral, recordInstruction } from "../services/referrals.server";
import { rightsPanelAction } from "../services/rights-panel.server";
import * as tickets from "../services/tickets.server";
import { connectors } from "../utils/connectors.server";

/**
 * The verbs of the ticket page (app/routes/admin.demandes.$reference.tsx),
 * one entry per `intent` a form posts: how the form becomes the service's
 * input, the service called, whether it cannot be undone, and what the page
 * says after it. The route looks the intent up and runs it; the service
 * decides whether this person may do it.
 */

/** What an entry gets: who acts on which ticket, and the posted form. */
export type IntentCall = {
  ctx: Ctx;
  reference: string;
  intent: string;
  form: FormData;
  /** a field as text ("" when absent) */
  str: (name: string) => string;
  /** a field as a row id (0, which names no row, when absent or not a number) */
  id: (name: string) => number;
};

/**
 * What an intent answers instead of going back to the page: a refusal the
 * page shows next to the form (400), or facts the page shows (200).
 */
export class Answer {
  constructor(
    readonly status: 200 | 400,
    readonly body: { error?: string; held?: string[]; labels?: Record<string, string> },
  ) {}
}

/** The sentence the page shows after the action (`tp.done`); the generic one when an entry names none. */
export type Feedback = Exclude<keyof TicketPageMessages["done"], "notice" | "other" | "sentence">;

export type IntentEntry<I = unknown> = {
  /** The form as the service takes it, checked with its zod schema; `invalid` is the error shown when it does not pass. */
  input?: { schema: z.ZodType<I>; from: (call: IntentCall) => unknown; invalid: string };
  /** The service call (a method: an entry parsing its own input still fits the table); an `Answer` returned is sent as is, anything else goes back to the page with `?fait=<intent>`. */
  run(call: IntentCall, input: I): unknown;
  /**
   * Cannot be undone (IRREVERSIBLE in app/services/confirmations.server.ts):
   * the first POST answers what it will do, only a second one carrying
   * `confirmed=1` does it.
   */
  irreversible?: true;
  /** The refusal grounds the confirmation states. */
  reasons?(input: I): RefusalReason[];
  feedback?: Feedback;
  /** The letter the action sends the requester: the sentence after it says where that letter stands. */
  notice?: string;
};

/** An entry whose input is parsed: its `run` and `reasons` are typed by the schema. */
const parsed = <I>(entry: IntentEntry<I>) => entry;

const codeChecked = (r: { ok: true } | { ok: false; reason: string }) => (r.ok ? undefined : new Answer(400, { error: r.reason === "locked" ? "code_locked" : "code_invalid" }));

const identifier: IntentEntry = {
  run: async ({ ctx, reference, intent, str }) => await decideFoundIdentifier({ ctx, reference, token: str("token"), confirm: intent === "identifier-confirm", registry: connectors() }),
};
const mandate: IntentEntry = {
  run: async ({ ctx, reference, intent, str }) => await reviewMandate({ ctx, reference, accept: intent === "mandate-accept", reason: str("reason") }),
};
const release = (kind: "access" | "portability"): IntentEntry => ({
  irreversible: true,
  feedback: `release-${kind}`,
  notice: `archive_${kind}`,
  run: ({ ctx, reference }) => releaseArchive({ ctx, reference, kind, registry: connectors() }),
});
/** The restriction and objection panel reads its own fields (app/services/rights-panel.server.ts). */
const rightsPanel: IntentEntry = {
  run: ({ ctx, reference, intent, form }) => rightsPanelAction({ ctx, reference, intent, form, registry: connectors() }),
};

export const TICKET_INTENTS = {
  assign: { run: async ({ ctx, reference, str }) => await tickets.assign({ ctx, reference, assigneeId: str("assigneeId") ? Number(str("assigneeId")) : null }) },
  start: { run: async ({ ctx, reference }) => await tickets.start({ ctx, reference }) },
  ask: { run: async ({ ctx, reference, str }) => await tickets.askRequester({ ctx, reference, question: str("question"), reason: str("reason") }) },
  "reply-record": { run: async ({ ctx, reference, str }) => await tickets.recordReply({ ctx, reference, message: str("message") }) },
  "callback-check": {
    run: async ({ ctx, reference }) => {
      const found = await numberOnRecord({ ctx, reference, registry: connectors() });
      return new Answer(200, { held: found.held, labels: found.labels });
    },
  },
  "callback-confirm": { run: ({ ctx, reference }) => confirmCallback({ ctx, reference, registry: connectors() }) },
  "contact-code-send": { run: async ({ ctx, reference, str }) => await sendContactCode({ ctx, reference, via: str("via") === "email" ? "email" : "sms" }) },
  "contact-code-check": {
    run: async ({ ctx, reference, str }) => {
      const via = str("via") === "email" ? "email" : "sms";
      return codeChecked(await checkContactCode({ ctx, reference, via, code: str(via === "email" ? "code-email" : "code-phone") }));
    },
  },
  "identifier-confirm": identifier,
  "identifier-reject": identifier,
  "gather-waive": { run: async ({ ctx, reference, str }) => await waiveConnector({ ctx, reference, connectorId: str("connectorId"), reason: str("reason") }) },
  "answer-no-data": { run: async ({ ctx, reference }) => await answerNoData({ ctx, reference, registry: connectors() }) },
  "letter-posted": { run: async ({ ctx, reference, id }) => await markPosted({ ctx, reference, letterId: id("letterId") }) },
  "mandate-accept": mandate,
  "mandate-reject": mandate,
  extend: { run: async ({ ctx, reference, str }) => await tickets.extend({ ctx, reference, reasons: str("reasons") }) },
  refuse: parsed({
    input: { schema: tickets.RefuseInput, from: ({ form, str }) => ({ reasons: form.getAll("reasons"), text: str("text") }), invalid: "reasons_required" },
    irreversible: true,
    reasons: (input) => input.reasons,
    feedback: "refuse",
    notice: "refusal",
    run: async ({ ctx, reference }, input) => await tickets.refuse({ ctx, reference, input }),
  }),
  duplicate: { run: async ({ ctx, reference, str }) => await tickets.markDuplicate({ ctx, reference, of: str("of") }) },
  cancel: { irreversible: true, feedback: "cancel", notice: "cancelled", run: async ({ ctx, reference }) => await tickets.cancel({ ctx, reference }) },
  ready: { run: async ({ ctx, reference }) => await tickets.markReady({ ctx, reference }) },
  complete: { irreversible: true, feedback: "complete", notice: "completion", run: async ({ ctx, reference }) => await tickets.complete({ ctx, reference }) },
  "caller-code": { run: async ({ ctx, reference, str }) => codeChecked(await checkCallerCode({ ctx, reference, code: str("code") })) },
  "caller-resend": { run: async ({ ctx, reference }) => await resendCallerCode({ ctx, reference }) },
  "release-access": release("access"),
  "release-portability": release("portability"),
  gather: { run: async ({ ctx, reference }) => await startGather({ ctx, reference, registry: connectors() }) },
  "gather-rerun": { run: async ({ ctx, reference, str }) => await rerunConnector({ ctx, reference, connectorId: str("connectorId"), registry: connectors() }) },
  note: { run: async ({ ctx, reference, str }) => await tickets.addNote({ ctx, reference, body: str("body") }) },
  "erasure-plan": { run: async ({ ctx, reference }) => await planErasure({ ctx, reference, registry: connectors() }) },
  // No letter at approval: the requester gets the certificate once the erasure is done and verified.
  "erasure-approve": { irreversible: true, feedback: "erasure-approve", run: async ({ ctx, reference }) => await approveErasure({ ctx, reference }) },
  "rectification-prepare": {
    run: async ({ ctx, reference, form }) => {
      const wanted: Record<string, string> = {};
      for (const [name, value] of form) if (name.startsWith("to:") && typeof value === "string") wanted[name.slice(3)] = value;
      return await prepareRectification({ ctx, reference, wanted, registry: connectors() });
    },
  },
  "rectification-approve": { run: ({ ctx, reference }) => approveRectification({ ctx, reference, registry: connectors() }) },
  "date-reading": { run: async ({ ctx, reference, str }) => await chooseDateReading({ ctx, reference, token: str("token"), format: str("format") }) },
  "referral-ack": { run: async ({ ctx, reference, id }) => await acknowledgeReferral({ ctx, reference, referralId: id("referralId") }) },
  "referral-instruct": {
    run: async ({ ctx, reference, str, id }) => await recordInstruction({ ctx, reference, referralId: id("referralId"), input: { instruction: str("instruction"), note: str("note") } }),
  },
  "notice-ack": { run: async ({ ctx, reference, id }) => await acknowledgeNotice({ ctx, reference, noticeId: id("noticeId") }) },
  "restriction-apply": rightsPanel,
  "restriction-retry": rightsPanel,
  "restriction-lift": rightsPanel,
  "restriction-lift-stop": rightsPanel,
  "restriction-lift-retry": rightsPanel,
  "restriction-hand": rightsPanel,
  "objection-record": rightsPanel,
} satisfies Record<string, IntentEntry>;

export type TicketIntent = keyof typeof TICKET_INTENTS;

/** The entry for a posted intent; null for anything else (including an object's own keys such as "constructor"). */
export function ticketIntent(name: string): IntentEntry | null {
  return Object.hasOwn(TICKET_INTENTS, name) ? TICKET_INTENTS[name as TicketIntent] : null;
}

/** An entry that asks for confirmation first; tests/ticket-intents.test.ts keeps the entries marked so and IRREVERSIBLE alike. */
export const confirmsFirst = (name: string, entry: IntentEntry): name is Irreversible => entry.irreversible === true && isIrreversible(name);

/** The posted form, read the way every entry reads it. */
export function intentCall(ctx: Ctx, reference: string, form: FormData): IntentCall {
  const str = (name: string) => String(form.get(name) ?? "");
  return { ctx, reference, intent: str("intent"), form, str, id: (name) => Number(str(name)) || 0 };
}
