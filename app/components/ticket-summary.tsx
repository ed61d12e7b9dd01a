import { useAdminT } from "./admin-i18n";
import { LocalDate, MarkerBadge, type TicketView } from "./admin-bits";
import { useLocale } from "./i18n";
import { formatInstant } from "../i18n";
import { ticketPageMessages } from "../i18n/admin/ticket-page";

/** Where the ticket stands (status, rights, channel, verification, assignee) and its deadline, side by side. */
export function TicketSummary({ view }: { view: TicketView }) {
  const a = useAdminT();
  const k = a.ticket;
  const locale = useLocale();
  const tp = ticketPageMessages[locale];
  const d = view.deadline;
  return (
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
  );
}
