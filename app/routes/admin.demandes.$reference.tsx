import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useAdminT } from "../components/admin-i18n";
import { Form, useActionData, useLoaderData, useRevalidator, useSearchParams } from "@remix-run/react";
import { useCallback, useEffect, useState } from "react";
import { REFUSAL_REASONS } from "../../db/schema/enums";
import { Confirmation } from "../components/confirmation";
import { ticketPageMessages } from "../i18n/admin/ticket-page";
import { canTransition } from "../services/request-status";
import { consequenceOf, latestNotice, type Consequence } from "../services/confirmations.server";
import { Answer, confirmsFirst, intentCall, ticketIntent } from "../routes-support/ticket-intents.server";
import { ColumnHeads, IntentButton, LocalDate, MarkerBadge } from "../components/admin-bits";
import { TextArea, TextField } from "../components/fields";
import { useLocale } from "../components/i18n";
import { formatInstant, formatLocalDate } from "../i18n";
import { DomainError } from "../services/errors";
import { nothingHeld } from "../services/answers.server";
import { foundIdentifiers } from "../services/identifiers.server";
import { canDisclose, lettersOf, sendStates } from "../services/letters.server";
import { mandateView } from "../services/mandates.server";
import { findByReference } from "../services/requests.server";
import { ContactsPanel, PendingVerificationPanel } from "../components/identity-panel";
import { FoundIdentifiers } from "../components/found-identifiers";
import { LettersPanel } from "../components/letters-panel";
import { MandatePanel } from "../components/mandate-panel";
import { archivesFor } from "../services/delivery.server";
import { pendingWithholdings } from "../services/withholdings.server";
import { ArchiveReview } from "../components/archive-review";
import { ErasurePanel } from "../components/erasure-panel";
import { RectificationPanel } from "../components/rectification-panel";
import { editableFields, rectificationView } from "../services/rectification.server";
import { planView } from "../services/erasure.server";
import { discrepanciesFor } from "../services/discrepancies.server";
import { AnomaliesPanel } from "../components/anomalies-panel";
import { anomaliesFor } from "../services/date-readings.server";
import { gatherStatus, requireAnswerable } from "../services/gather.server";
import { RightsPanel } from "../components/rights-panel";
import { RecordingFlagsPanel } from "../components/recording-flags-panel";
import { retentionMessages } from "../i18n/admin/retention";
import { recordingFlagsFor } from "../services/retention.server";
import { ReferralsPanel } from "../components/referrals-panel";
import { referralsOf } from "../services/referrals.server";
import { rightsPanel } from "../services/rights-panel.server";
import { connectors } from "../utils/connectors.server";
import { db } from "../utils/db.server";
import * as tickets from "../services/tickets.server";
import { requireStaff } from "../utils/staff-session.server";
import { formData } from "../utils/form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx } = requireStaff(request);
  try {
    const view = tickets.ticketView({ ctx, reference: params.reference ?? "" });
    // The intent just done, by its entry: the sentence the page shows, and the letter it sent the requester.
    const done = ticketIntent(new URL(request.url).searchParams.get("fait") ?? "");
    const gather = gatherStatus(db(), view.id, connectors());
    const row = findByReference(db(), view.reference)!;
    const canWork = ctx.actor.role === "dpo" || ctx.actor.role === "support";
    const answerable = (() => {
      try {
        requireAnswerable(db(), view.id);
        return true;
      } catch {
        return false;
      }
    })();
    // Gathered values are personal data: shown (and audited) only with the identity.
    const discrepancies = view.identity && gather.some((g) => g.status === "done") ? tickets.auditedRead(ctx, view.reference, () => discrepanciesFor(db(), view.id)) : [];
    // The raw values a connector could not read, and the readings of ambiguous dates: personal data too.
    const anomalies = view.identity && gather.some((g) => g.status === "done") ? tickets.auditedRead(ctx, view.reference, () => anomaliesFor(db(), view.id, connectors())) : [];
    // Recordings past the register's duration or made without consent: read from the gathered copy, so audited the same way.
    const recordingFlags = view.identity && gather.some((g) => g.status === "done") ? tickets.auditedRead(ctx, view.reference, () => recordingFlagsFor(db(), view.id, connectors(), ctx.now)) : [];
    return {
      view,
      isOpen: tickets.OPEN_STATUSES.includes(view.status),
      staff: tickets.assignableStaff(ctx.db),
      role: ctx.actor.role,
      gather,
      discrepancies,
      anomalies,
      recordingFlags,
      archives: archivesFor(db(), view.id, ctx.now),
      withholdingsPending: pendingWithholdings(db(), view.id),
      connectorCount: connectors().list().length,
      erasure: view.rights.includes("erasure") ? planView(db(), view.id, connectors()) : null,
      // The person's own values, before and after: shown (and audited) only to those who see the identity.
      rectification:
        view.rights.includes("rectification") && view.identity
          ? tickets.auditedRead(ctx, view.reference, () => ({
              fields: gather.length && gather.every((g) => g.status === "done") ? editableFields(db(), view.id, connectors()) : [],
              current: rectificationView(db(), view.id),
            }))
          : null,
      myId: ctx.actor.id,
      rightsPanel: rightsPanel({ ctx, requestId: view.id, gather, registry: connectors() }),
      // Contacts found in the matching records, offered for the search: personal data, read and audited only with the identity.
      found:
        view.identity && canWork && tickets.OPEN_STATUSES.includes(view.status) && gather.some((g) => g.status === "done")
          ? tickets.auditedRead(ctx, view.reference, () => foundIdentifiers(db(), row))
          : [],
      connectorLabels: Object.fromEntries(connectors().list().map((c) => [c.id, c.label])),
      mandate: view.onBehalf && canWork ? mandateView({ ctx, reference: view.reference }) : null,
      letters: lettersOf(db(), view.id),
      letterStates: sendStates(db(), view.id),
      answerable,
      noData: answerable && nothingHeld(db(), view.id),
      disclosable: canDisclose(db(), row),
      // Data held for a client as its processor: the request forwarded to it and its instructions (no personal values).
      referrals: referralsOf(db(), view.id),
      // What the action just done told the requester, and whether it has left the outbox.
      notice: done?.notice ? latestNotice(db(), view.id, done.notice) : null,
      feedback: done?.feedback ?? null,
    };
  } catch (error) {
    if (error instanceof DomainError && error.code === "not_found") throw data({ code: "not_found" }, { status: 404 });
    throw error;
  }
}

/** One form per verb (app/routes-support/ticket-intents.server.ts); the service decides whether this person may do it. */
export async function action({ request, params }: ActionFunctionArgs) {
  const { ctx } = requireStaff(request);
  const reference = params.reference ?? "";
  const form = await formData(request);
  const call = intentCall(ctx, reference, form);
  const intent = call.intent;
  const entry = ticketIntent(intent);
  if (!entry) return data({ error: "invalid_input", intent }, { status: 400 });
  try {
    let input: unknown;
    if (entry.input) {
      const parsed = entry.input.schema.safeParse(entry.input.from(call));
      if (!parsed.success) return data({ error: entry.input.invalid, intent }, { status: 400 });
      input = parsed.data;
    }
    // What cannot be undone is done only on a second POST that carries confirmed=1; the first answers what it will do.
    if (confirmsFirst(intent, entry) && call.str("confirmed") !== "1") {
      const confirm = consequenceOf({ ctx, reference, intent, reasons: entry.reasons?.(input) ?? [], registry: connectors() });
      const fields = [...form].filter((e): e is [string, string] => e[0] !== "confirmed" && typeof e[1] === "string");
      return data({ intent, confirm, fields, error: undefined as string | undefined });
    }
    const answer = await entry.run(call, input);
    if (answer instanceof Answer) {
      if (answer.status === 400) return data({ ...answer.body, intent }, { status: 400 });
      return data({ intent, ...answer.body, error: undefined as string | undefined });
    }
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.code === "not_found") throw data({ code: "not_found" }, { status: 404 });
    const code = typeof error.detail.code === "string" ? error.detail.code : typeof error.detail.reason === "string" ? error.detail.reason : error.code;
    const status = error.code === "forbidden" ? 403 : error.code === "invalid_input" ? 400 : 409;
    return data({ error: code, intent }, { status });
  }
  return redirect(`/admin/demandes/${reference}?fait=${intent}`);
}

export default function Ticket() {
  const adminT = useAdminT();
  const a = adminT;
  const k = a.ticket;
  const locale = useLocale();
  const { view, isOpen, staff, role, gather, discrepancies, archives, connectorCount, erasure, myId, rectification, rightsPanel: rights, anomalies, recordingFlags, found, connectorLabels, mandate, letters, answerable, noData, disclosable, referrals, withholdingsPending, notice, feedback, letterStates } =
    useLoaderData<typeof loader>();
  const ans = a.answers;
  const tp = ticketPageMessages[locale];
  const revalidator = useRevalidator();
  const busy = gather.some((g) => g.status === "queued" || g.status === "running");
  const erasureBusy = !!erasure && ["approved", "executing", "executed"].includes(erasure.status);
  const liftBusy = rights?.restriction?.lift?.status === "running";
  const working = busy || erasureBusy || liftBusy;
  // Live progress: while a job (gather, erasure, restriction lift) is queued or running, re-read the page every 2 s; stop when none is.
  useEffect(() => {
    if (!working) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 2_000);
    return () => clearInterval(timer);
  }, [working, revalidator]);
  // One sentence per long job, in a polite live region: announced when a state changes, not at every poll.
  const gatherDone = gather.filter((g) => !["queued", "running"].includes(g.status)).length;
  const progress = [
    gather.length ? (busy ? tp.progress.gatherRunning(gatherDone, gather.length) : null) : null,
    erasure && tp.progress.erasure[erasure.status] ? tp.progress.erasure[erasure.status] : null,
    liftBusy ? tp.progress.liftRunning : null,
  ].filter((x): x is string => !!x);
  const result = useActionData<typeof action>() as
    | { intent: string; error?: string; confirm?: Consequence; fields?: [string, string][]; held?: string[]; labels?: Record<string, string> }
    | undefined;
  // A confirmation dismissed (Escape, "go back") stays dismissed until the next answer of the server.
  const [dismissed, setDismissed] = useState<object | null>(null);
  const dismiss = useCallback(() => setDismissed(result ?? null), [result]);
  const confirm = result?.confirm && dismissed !== result ? result.confirm : null;
  const refusalWords = confirm?.intent === "refuse" ? confirm.reasons.map((r) => a.refusalReasons[r]).join(", ") : "";

  const [params] = useSearchParams();
  const fait = params.get("fait") ?? "";
  const when = (x: Date | string) => formatInstant(new Date(x), locale);
  const d = view.deadline;
  const canWork = role === "dpo" || role === "support";
  const isDpo = role === "dpo";
  // Each archive answers its own right: offered only when the request asks for it (the service refuses otherwise).
  // A withholding waiting for the DPO blocks that archive: explained (with the preview) by ArchiveReview instead.
  const releaseAccess = isDpo && view.rights.includes("access") && !withholdingsPending.access;
  const releasePortability = canWork && view.rights.includes("portability") && !withholdingsPending.portability;
  const canRefuse = canTransition(view.status, "refused");
  const eventWords = {
    date: (iso: string) => formatLocalDate(iso, locale),
    connector: (id: string) => connectorLabels[id] ?? id,
    reason: (r: string) => (a.refusalReasons as Record<string, string>)[r] ?? r,
    method: (m: string) => ans.methods[m] ?? m,
  };
  return (
    <>
      <h1>{k.title(view.reference)}</h1>
      {fait && !result ? (
        <p className="flash" role="status" data-done={fait}>
          {fait === "recorded"
            ? a.intake.recorded(view.reference)
            : feedback
              ? tp.done.sentence(tp.done[feedback], notice ? tp.done.notice(notice, when) : null)
              : tp.done.other}
        </p>
      ) : null}
      {confirm ? (
        <Confirmation
          intent={confirm.intent}
          title={tp.confirm.title}
          text={tp.confirm.text(confirm, refusalWords)}
          confirmLabel={tp.confirm.buttons[confirm.intent]}
          backLabel={tp.confirm.back}
          backHref={`/admin/demandes/${view.reference}`}
          fields={result?.fields ?? []}
          onDismiss={dismiss}
        />
      ) : null}
      {result?.error && result.intent !== "caller-code" ? (
        <p className="error-box" role="alert">
          {a.errors[result.error] ?? a.errors.invalid_input}
        </p>
      ) : null}
      {/* Always present, so that a change of state is announced (politely, once). Without JavaScript, the link re-reads the page. */}
      <div className="progress" role="status" aria-live="polite" data-progress>
        {progress.map((p) => (
          <p key={p}>{p}</p>
        ))}
        {working ? (
          <p>
            <a href={`/admin/demandes/${view.reference}`}>{tp.progress.refresh}</a>
          </p>
        ) : null}
      </div>
      <div className="grid-2">
        <section className="panel" aria-labelledby="summary-title">
          <h2 id="summary-title">{k.status}</h2>
          <dl className="summary">
            <dt>{k.status}</dt>
            <dd data-status={view.status}>
              {a.statuses[view.status]} <MarkerBadge marker={view.marker} />
            </dd>
            <dt>{k.rightsAsked}</dt>
            <dd>{view.rights.map((r) => a.rights[r]).join(", ")}</dd>
            <dt>{k.channel}</dt>
            <dd>{a.channels[view.channel]}</dd>
            <dt>{k.site}</dt>
            <dd>{a.sites[view.site ?? "web"]}</dd>
            <dt>{k.verification}</dt>
            <dd data-verification-method={view.verificationMethod}>{view.verifiedAt ? tp.verifiedBy[view.verificationMethod] : k.notVerified}</dd>
            <dt>{k.assignee}</dt>
            <dd>{view.assignee?.displayName ?? k.unassigned}</dd>
            {view.duplicateOf ? (
              <>
                <dt>{k.duplicate}</dt>
                <dd>{view.duplicateOf}</dd>
              </>
            ) : null}
          </dl>
        </section>
        <section className="panel" aria-labelledby="deadline-title">
          <h2 id="deadline-title">{k.deadline}</h2>
          {d ? (
            <dl className="summary">
              <dt>{k.receivedOn}</dt>
              <dd>{formatInstant(new Date(view.receivedAt), locale)}</dd>
              <dt>{k.baseDue}</dt>
              <dd>
                <LocalDate iso={d.unrolledDue} />
              </dd>
              <dt>{k.deadlineHow}</dt>
              <dd>{tp.pausedDays(d.pausedDays)}</dd>
              {view.extended ? (
                <>
                  <dt>{k.extendedDue}</dt>
                  <dd>
                    <LocalDate iso={d.extendedDueOn} />
                  </dd>
                </>
              ) : null}
              <dt>{k.effective}</dt>
              <dd data-due={view.effectiveDueOn ?? ""}>
                <strong>
                  <LocalDate iso={view.effectiveDueOn} />
                </strong>
              </dd>
            </dl>
          ) : (
            <p>{tp.duePaused}</p>
          )}
        </section>
      </div>
      {view.status === "awaiting_verification" && view.channel !== "web" ? <PendingVerificationPanel method={view.verificationMethod} result={result as never} /> : null}
      {view.verifiedAt && view.identity && isOpen ? <ContactsPanel contacts={view.contacts} canAct result={result as never} /> : null}
      {mandate ? <MandatePanel reference={view.reference} mandate={mandate} canReview={canWork && isOpen} /> : null}
      {view.identityPurgedAt ? (
        <section className="panel" aria-labelledby="identity-purged-title" data-identity-purged>
          <h2 id="identity-purged-title">{retentionMessages[locale].purgedTitle}</h2>
          <p>{retentionMessages[locale].purged(formatInstant(new Date(view.identityPurgedAt), locale))}</p>
        </section>
      ) : null}
      {view.identity ? (
        <section className="panel" aria-labelledby="identity-title">
          <h2 id="identity-title">{k.identity}</h2>
          <dl className="summary">
            <dt>{k.name}</dt>
            <dd>
              {view.identity.firstName} {view.identity.lastName}
            </dd>
            <dt>{k.email}</dt>
            <dd>{view.identity.email ?? "—"}</dd>
            <dt>{k.phone}</dt>
            <dd>{view.identity.phone ?? "—"}</dd>
            {view.identity.onBehalf ? (
              <>
                <dt>{k.onBehalf}</dt>
                <dd>
                  {view.identity.subjectFirstName} {view.identity.subjectLastName}
                </dd>
              </>
            ) : null}
            {view.identity.details ? (
              <>
                <dt>{k.details}</dt>
                <dd>{view.identity.details}</dd>
              </>
            ) : null}
            {view.identity.rectificationWrong ? (
              <>
                <dt>{k.wrong}</dt>
                <dd>{view.identity.rectificationWrong}</dd>
                <dt>{k.correct}</dt>
                <dd>{view.identity.rectificationCorrect}</dd>
              </>
            ) : null}
          </dl>
        </section>
      ) : null}
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
              <TextArea name="reasons" label={k.extendLabel} maxLength={2000} error={result?.intent === "extend" && result.error ? a.errors[result.error] : undefined} />
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
      {isOpen && view.verifiedAt ? (
        <section className="panel" aria-labelledby="gather-title">
          <h2 id="gather-title">{a.gather.title}</h2>
          <p>{a.gather.intro}</p>
          {gather.length === 0 ? <p>{a.gather.none}</p> : null}
          {gather.length > 0 ? (
            <table aria-busy={busy}>
              <ColumnHeads cols={[a.gather.connector, ans.search.outcome, ans.search.searchedWith, a.gather.anomalies, a.gather.attempts, a.gather.duration, tp.retryColumn]} />
              <tbody>
                {gather.map((g) => (
                  <tr key={g.connectorId} data-connector={g.connectorId} data-job-status={g.status} data-outcome={g.outcome}>
                    <th scope="row">{g.label}</th>
                    <td>
                      {g.outcome === "found"
                        ? `${ans.search.outcomes.found(g.records ?? 0)}${g.files ? ` (${a.gather.counts(g.records ?? 0, g.files)})` : ""}`
                        : g.outcome === "not_searched"
                          ? ans.search.outcomes.not_searched(g.missing.map((m) => ans.search.kinds[m] ?? m).join(" / "))
                          : g.outcome === "failed"
                            ? `${ans.search.outcomes.failed}${g.error ? ` : ${g.error}` : ""}`
                            : g.outcome === "nothing"
                              ? ans.search.outcomes.nothing
                              : a.gather.statuses[g.status]}
                      {g.waiver ? <p className="hint">{ans.search.waived(g.waiver.reason)}</p> : null}
                    </td>
                    <td>
                      {g.identifiers.length
                        ? g.identifiers
                            .map((i) => `${ans.search.kinds[i.kind] ?? i.kind} (${i.origin.startsWith("found:") ? ans.search.foundIn(connectorLabels[i.origin.slice(6)] ?? i.origin.slice(6)) : (ans.search.origins[i.origin] ?? i.origin)})`)
                            .join(", ")
                        : "—"}
                    </td>
                    <td>{g.anomalies ?? "—"}</td>
                    <td>{g.attempts}</td>
                    <td>{g.durationMs !== null ? tp.seconds(g.durationMs) : "—"}</td>
                    <td>
                      {canWork && ["failed", "done", "skipped"].includes(g.status) ? (
                        <IntentButton intent="gather-rerun" fields={{ connectorId: g.connectorId }} label={a.gather.rerun} ariaLabel={`${a.gather.rerun} — ${g.label}`} link />
                      ) : null}
                      {isDpo && (g.outcome === "failed" || g.outcome === "not_searched") && !g.waiver && isOpen ? (
                        <Form method="post">
                          <input type="hidden" name="intent" value="gather-waive" />
                          <input type="hidden" name="connectorId" value={g.connectorId} />
                          <TextArea name={`reason`} label={`${ans.search.waiveLabel} — ${g.label}`} maxLength={1000} />
                          <button type="submit" className="button secondary">
                            {ans.search.waive}
                          </button>
                        </Form>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {canWork && connectorCount > 0 && !busy ? <IntentButton intent="gather" label={a.gather.start} primary /> : null}
          {connectorCount === 0 ? <p>{a.gather.noConnectors}</p> : null}
          {!busy && gather.length > 0 && !answerable ? <p className="hint">{ans.search.blocked}</p> : null}
          {!busy && answerable && !disclosable ? (
            <p className="error-box" role="status">
              {ans.answer.unreachable}
            </p>
          ) : null}
          {!busy && answerable && !noData && (releaseAccess || releasePortability) ? (
            <div className="cta-row">
              {releaseAccess ? <IntentButton intent="release-access" label={a.gather.releaseAccess} /> : null}
              {releasePortability ? <IntentButton intent="release-portability" label={a.gather.releasePortability} /> : null}
            </div>
          ) : null}
          {!busy && answerable && !noData && canWork ? <ArchiveReview reference={view.reference} rights={view.rights} pending={withholdingsPending} /> : null}
          {/* Support may not release an access copy (authz): said, so the ticket does not look stuck. */}
          {!busy && answerable && !noData && canWork && !isDpo && view.rights.includes("access") ? (
            <p className="hint" data-release="dpo-only">
              {tp.unavailable.accessDpo}
            </p>
          ) : null}
          {!busy && noData ? (
            <div className="notice" data-no-data="yes">
              <h3>{ans.answer.noDataTitle}</h3>
              <p>{ans.answer.noDataIntro}</p>
              {isDpo ? <IntentButton intent="answer-no-data" label={ans.answer.noDataSend} primary /> : <p className="hint">{tp.unavailable.noDataDpo}</p>}
            </div>
          ) : null}
          {archives.length > 0 ? (
            <ul>
              {archives.map((x) => (
                <li key={x.id} data-archive-kind={x.kind}>
                  {a.gather.released(x.kind === "access" ? a.gather.kindAccess : a.gather.kindPortability, x.downloads)}
                </li>
              ))}
            </ul>
          ) : null}

        </section>
      ) : null}
      <FoundIdentifiers found={found} labels={connectorLabels} canAct={canWork} />
      {discrepancies.length > 0 ? (
        <section className="panel" aria-labelledby="discrepancies-title">
          <h2 id="discrepancies-title">{a.discrepancies.title}</h2>
          <p>{a.discrepancies.intro}</p>
          <table>
            <ColumnHeads cols={[a.discrepancies.field, a.discrepancies.kind, a.discrepancies.values]} />
            <tbody>
              {discrepancies.map((d) => (
                <tr key={`${d.field}:${d.question ?? ""}`} data-field={d.field} data-kind={d.kind}>
                  <th scope="row">{d.field === "answer" ? `${a.discrepancies.answer} « ${d.question} »` : a.discrepancies.fields[d.field]}</th>
                  <td>{d.kind === "spelling" ? a.discrepancies.spelling : a.discrepancies.different}</td>
                  <td>
                    <ul>
                      {d.values.map((v, i) => (
                        <li key={i}>
                          {gather.find((g) => g.connectorId === v.connectorId)?.label ?? v.connectorId} : « {v.value} »
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {anomalies.length > 0 ? <AnomaliesPanel anomalies={anomalies} canChoose={isOpen && canWork} /> : null}
      {recordingFlags.length > 0 ? <RecordingFlagsPanel flags={recordingFlags} reference={view.reference} canHold={role === "dpo"} /> : null}
      {rectification ? <RectificationPanel fields={rectification.fields} current={rectification.current} role={role} /> : null}
      {view.rights.includes("erasure") ? (
        <ErasurePanel reference={view.reference} plan={erasure} role={role} myId={myId} gathered={!busy && gather.length > 0 && gather.every((g) => g.status === "done")} />
      ) : null}
      {referrals.length > 0 ? <ReferralsPanel referrals={referrals} canAct={canWork && isOpen} /> : null}
      {rights ? <RightsPanel panel={rights} /> : null}
      <LettersPanel reference={view.reference} letters={letters} sent={letterStates} />
      <section className="panel" aria-labelledby="notes-title">
        <h2 id="notes-title">{k.notes}</h2>
        <Form method="post">
          <input type="hidden" name="intent" value="note" />
          <TextArea name="body" label={k.noteLabel} maxLength={5000} />
          <button type="submit" className="button secondary">
            {k.addNote}
          </button>
        </Form>
        <ul>
          {view.notes.map((n, i) => (
            <li key={i}>
              <time dateTime={new Date(n.at).toISOString()}>{formatInstant(new Date(n.at), locale)}</time> — {n.author ?? (locale === "fr" ? "Demandeur" : "Requester")} : {n.body}
            </li>
          ))}
        </ul>
      </section>
      <section className="panel" aria-labelledby="timeline-title">
        <h2 id="timeline-title">{k.timeline}</h2>
        <ol className="timeline">
          {view.events.map((e, i) => (
            <li key={i}>
              <time dateTime={new Date(e.at).toISOString()}>{formatInstant(new Date(e.at), locale)}</time> — {a.events[e.type]}
              {(() => {
                const detail = tp.eventDetail(e.type, (e.data ?? {}) as Record<string, unknown>, eventWords);
                return detail ? ` (${detail})` : null;
              })()}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
