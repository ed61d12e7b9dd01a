import { Form } from "@remix-run/react";
import { REFUSAL_REASONS } from "../../db/schema/enums";
import { useAdminT } from "./admin-i18n";
import { IntentButton, type TicketView } from "./admin-bits";
import { TextArea, TextField } from "./fields";
import { useLocale } from "./i18n";
import { formatLocalDate } from "../i18n";
import { ticketPageMessages } from "../i18n/admin/ticket-page";
import { canTransition } from "../services/request-status";

type Staff = { id: number; displayName: string };

/**
 * The ticket's verbs: assign, the one step forward, ask, extend, refuse,
 * duplicate, cancel; each one not offered says why. A closed ticket says that
 * nothing more can be done.
 */
export function TicketActions({ view, staff, role, isOpen, extendError }: { view: TicketView; staff: Staff[]; role: string; isOpen: boolean; extendError?: string }) {
  const a = useAdminT();
  const k = a.ticket;
  const ans = a.answers;
  const locale = useLocale();
  const tp = ticketPageMessages[locale];
  const canWork = role === "dpo" || role === "support";
  const isDpo = role === "dpo";
  const canRefuse = canTransition(view.status, "refused");
  return (
    <>
        {isOpen && (canWork || isDpo) ? (
          <section className="panel actions" aria-labelledby="actions-title">
            <h2 id="actions-title">{k.actions}</h2>
            <Form method="post">
              <input type="hidden" name="intent" value="assign" />
              <label htmlFor="assigneeId">{k.assignTo}</label>
              <select id="assigneeId" name="assigneeId" defaultValue={view.assignee?.id ?? ""}>
                <option value="">{k.unassigned}</option>
                {staff.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.displayName}
                  </option>
                ))}
              </select>{" "}
              <button type="submit" className="button secondary">
                {k.assign}
              </button>
            </Form>
            {/* The one step forward the current status allows. */}
            {view.status === "received" ? <IntentButton intent="start" label={k.start} primary /> : null}
            {view.status === "in_progress" ? <IntentButton intent="ready" label={k.ready} primary /> : null}
            {view.status === "ready" && canWork ? <IntentButton intent="complete" label={k.complete} primary /> : null}
            {view.status === "received" || view.status === "in_progress" ? (
              <Form method="post">
                <input type="hidden" name="intent" value="ask" />
                <fieldset className="field">
                  <legend>{ans.ask.reason}</legend>
                  {(["identity", "scope"] as const).map((r) => (
                    <div className="choice" key={r}>
                      <input type="radio" id={`ask-reason-${r}`} name="reason" value={r} required />
                      <label htmlFor={`ask-reason-${r}`}>{ans.ask.reasons[r]}</label>
                    </div>
                  ))}
                </fieldset>
                <TextArea name="question" label={k.askInfoLabel} maxLength={2000} />
                <button type="submit" className="button secondary">
                  {k.askInfo}
                </button>
              </Form>
            ) : null}
            {view.status === "awaiting_requester" ? (
              <Form method="post">
                <input type="hidden" name="intent" value="reply-record" />
                <TextArea name="message" label={ans.ask.replyLabel} maxLength={5000} />
                <button type="submit" className="button secondary">
                  {ans.ask.replySubmit}
                </button>
              </Form>
            ) : null}
            {/* An extension not possible is said, with why, rather than the form silently missing. */}
            {view.extended ? (
              <p className="hint" data-extend="already">
                {tp.unavailable.extendAlready(view.effectiveDueOn ? formatLocalDate(view.effectiveDueOn, locale) : "—")}
              </p>
            ) : !view.extendable ? (
              <p className="hint" data-extend="overdue">
                {tp.unavailable.extendOverdue(view.dueOn ? formatLocalDate(view.dueOn, locale) : "—")}
              </p>
            ) : !isDpo ? (
              <p className="hint" data-extend="dpo">
                {tp.unavailable.extendDpo}
              </p>
            ) : null}
            {isDpo && view.extendable ? (
              <Form method="post">
                <input type="hidden" name="intent" value="extend" />
                <TextArea name="reasons" label={k.extendLabel} maxLength={2000} error={extendError ? a.errors[extendError] : undefined} />
                <button type="submit" className="button secondary">
                  {k.extend}
                </button>
              </Form>
            ) : null}
            {!canRefuse ? (
              <p className="hint" data-refuse="ready">
                {tp.unavailable.refuseReady}
              </p>
            ) : !isDpo ? (
              <p className="hint" data-refuse="dpo">
                {tp.unavailable.refuseDpo}
              </p>
            ) : null}
            {isDpo && canRefuse ? (
              <Form method="post">
                <input type="hidden" name="intent" value="refuse" />
                <fieldset className="field">
                  <legend>{k.refuseReasons}</legend>
                  {REFUSAL_REASONS.map((r) => (
                    <div className="choice" key={r}>
                      <input type="checkbox" id={`reason-${r}`} name="reasons" value={r} />
                      <label htmlFor={`reason-${r}`}>{a.refusalReasons[r]}</label>
                    </div>
                  ))}
                </fieldset>
                <TextArea name="text" label={k.refuseText} maxLength={4000} />
                <button type="submit" className="button secondary">
                  {k.refuse}
                </button>
              </Form>
            ) : null}
            {canWork && canTransition(view.status, "duplicate") ? (
              <Form method="post">
                <input type="hidden" name="intent" value="duplicate" />
                <TextField name="of" label={k.duplicateLabel} maxLength={20} />
                <button type="submit" className="button secondary">
                  {k.duplicate}
                </button>
              </Form>
            ) : null}
            {canWork && canTransition(view.status, "cancelled") ? <IntentButton intent="cancel" label={k.cancel} /> : null}
          </section>
        ) : null}
        {!isOpen && view.status !== "awaiting_verification" ? (
          <section className="panel" aria-labelledby="actions-title" data-closed>
            <h2 id="actions-title">{k.actions}</h2>
            <p>{tp.unavailable.closed}</p>
          </section>
        ) : null}
    </>
  );
}
