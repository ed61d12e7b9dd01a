import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useAdminT } from "../components/admin-i18n";
import { useActionData, useLoaderData, useRevalidator, useSearchParams } from "@remix-run/react";
import { useCallback, useEffect, useState } from "react";
import { Confirmation } from "../components/confirmation";
import { ticketPageMessages } from "../i18n/admin/ticket-page";
import { consequenceOf, latestNotice, type Consequence } from "../services/confirmations.server";
import { Answer, confirmsFirst, intentCall, ticketIntent } from "../web/ticket-intents.server";
import { useLocale } from "../components/i18n";
import { formatInstant } from "../i18n";
import { DomainError, httpStatusOf } from "../services/errors";
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
import { DiscrepanciesPanel } from "../components/discrepancies-panel";
import { GatherPanel } from "../components/gather-panel";
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
import { RequesterPanel } from "../components/requester-panel";
import { TicketActions } from "../components/ticket-actions";
import { NotesPanel, TimelinePanel } from "../components/ticket-history";
import { TicketSummary } from "../components/ticket-summary";
import { recordingFlagsFor } from "../services/retention.server";
import { ReferralsPanel } from "../components/referrals-panel";
import { referralsOf } from "../services/referrals.server";
import { rightsPanel } from "../services/rights-panel.server";
import { connectors } from "../utils/connectors.server";
import { db } from "../utils/db.server";
import * as tickets from "../services/tickets.server";
import { requireStaff } from "../web/staff-session.server";
import { formData } from "../web/form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  try {
    const view = await tickets.ticketView({ ctx, reference: params.reference ?? "" });
    // The intent just done, by its entry: the sentence the page shows, and the letter it sent the requester.
    const done = ticketIntent(new URL(request.url).searchParams.get("fait") ?? "");
    const gather = await gatherStatus(db(), view.id, connectors());
    const row = (await findByReference(db(), view.reference))!;
    const canWork = ctx.actor.role === "dpo" || ctx.actor.role === "support";
    const answerable = await (async () => {
      try {
        await requireAnswerable(db(), view.id);
        return true;
      } catch {
        return false;
      }
    })();
    // Gathered values are personal data: shown (and audited) only with the identity.
    const discrepancies = view.identity && gather.some((g) => g.status === "done") ? (await tickets.auditedRead(ctx, view.reference, async () => await discrepanciesFor(db(), view.id))) : [];
    // The raw values a connector could not read, and the readings of ambiguous dates: personal data too.
    const anomalies = view.identity && gather.some((g) => g.status === "done") ? (await tickets.auditedRead(ctx, view.reference, async () => await anomaliesFor(db(), view.id, connectors()))) : [];
    // Recordings past the register's duration or made without consent: read from the gathered copy, so audited the same way.
    const recordingFlags = view.identity && gather.some((g) => g.status === "done") ? (await tickets.auditedRead(ctx, view.reference, async () => await recordingFlagsFor(db(), view.id, connectors(), ctx.now))) : [];
    return {
      view,
      isOpen: tickets.OPEN_STATUSES.includes(view.status),
      staff: await tickets.assignableStaff(ctx.db),
      role: ctx.actor.role,
      gather,
      discrepancies,
      anomalies,
      recordingFlags,
      archives: await archivesFor(db(), view.id, ctx.now),
      withholdingsPending: await pendingWithholdings(db(), view.id),
      connectorCount: connectors().list().length,
      erasure: view.rights.includes("erasure") ? (await planView(db(), view.id, connectors())) : null,
      // The person's own values, before and after: shown (and audited) only to those who see the identity.
      rectification:
        view.rights.includes("rectification") && view.identity
          ? (await tickets.auditedRead(ctx, view.reference, async () => ({
              fields: gather.length && gather.every((g) => g.status === "done") ? (await editableFields(db(), view.id, connectors())) : [],
              current: await rectificationView(db(), view.id),
            })))
          : null,
      myId: ctx.actor.id,
      rightsPanel: await rightsPanel({ ctx, requestId: view.id, gather, registry: connectors() }),
      // Contacts found in the matching records, offered for the search: personal data, read and audited only with the identity.
      found:
        view.identity && canWork && tickets.OPEN_STATUSES.includes(view.status) && gather.some((g) => g.status === "done")
          ? (await tickets.auditedRead(ctx, view.reference, async () => await foundIdentifiers(db(), row)))
          : [],
      connectorLabels: Object.fromEntries(connectors().list().map((c) => [c.id, c.label])),
      mandate: view.onBehalf && canWork ? (await mandateView({ ctx, reference: view.reference })) : null,
      letters: await lettersOf(db(), view.id),
      letterStates: await sendStates(db(), view.id),
      answerable,
      noData: answerable && (await nothingHeld(db(), view.id)),
      disclosable: await canDisclose(db(), row),
      // Data held for a client as its processor: the request forwarded to it and its instructions (no personal values).
      referrals: await referralsOf(db(), view.id),
      // What the action just done told the requester, and whether it has left the outbox.
      notice: done?.notice ? (await latestNotice(db(), view.id, done.notice)) : null,
      feedback: done?.feedback ?? null,
    };
  } catch (error) {
    if (error instanceof DomainError && error.code === "not_found") throw data({ code: "not_found" }, { status: 404 });
    throw error;
  }
}

/** One form per verb (app/web/ticket-intents.server.ts); the service decides whether this person may do it. */
export async function action({ request, params }: ActionFunctionArgs) {
  const { ctx } = await requireStaff(request);
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
      const confirm = await consequenceOf({ ctx, reference, intent, reasons: entry.reasons?.(input) ?? [], registry: connectors() });
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
    return data({ error: code, intent }, { status: httpStatusOf(error.code) });
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
  const canWork = role === "dpo" || role === "support";
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
      <TicketSummary view={view} />
      {view.status === "awaiting_verification" && view.channel !== "web" ? <PendingVerificationPanel method={view.verificationMethod} result={result as never} /> : null}
      {view.verifiedAt && view.identity && isOpen ? <ContactsPanel contacts={view.contacts} canAct result={result as never} /> : null}
      {mandate ? <MandatePanel reference={view.reference} mandate={mandate} canReview={canWork && isOpen} /> : null}
      <RequesterPanel view={view} />
      <TicketActions view={view} staff={staff} role={role} isOpen={isOpen} extendError={result?.intent === "extend" ? result.error : undefined} />
      {isOpen && view.verifiedAt ? (
        <GatherPanel
          view={view}
          gather={gather}
          role={role}
          isOpen={isOpen}
          busy={busy}
          connectorCount={connectorCount}
          connectorLabels={connectorLabels}
          answerable={answerable}
          disclosable={disclosable}
          noData={noData}
          archives={archives}
          withholdingsPending={withholdingsPending}
        />
      ) : null}
      <FoundIdentifiers found={found} labels={connectorLabels} canAct={canWork} />
      {discrepancies.length > 0 ? <DiscrepanciesPanel discrepancies={discrepancies} gather={gather} /> : null}
      {anomalies.length > 0 ? <AnomaliesPanel anomalies={anomalies} canChoose={isOpen && canWork} /> : null}
      {recordingFlags.length > 0 ? <RecordingFlagsPanel flags={recordingFlags} reference={view.reference} canHold={role === "dpo"} /> : null}
      {rectification ? <RectificationPanel fields={rectification.fields} current={rectification.current} role={role} /> : null}
      {view.rights.includes("erasure") ? (
        <ErasurePanel reference={view.reference} plan={erasure} role={role} myId={myId} gathered={!busy && gather.length > 0 && gather.every((g) => g.status === "done")} />
      ) : null}
      {referrals.length > 0 ? <ReferralsPanel referrals={referrals} canAct={canWork && isOpen} /> : null}
      {rights ? <RightsPanel panel={rights} /> : null}
      <LettersPanel reference={view.reference} letters={letters} sent={letterStates} />
      <NotesPanel notes={view.notes} />
      <TimelinePanel events={view.events} connectorLabels={connectorLabels} />
    </>
  );
}
