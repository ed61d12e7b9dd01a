import { Form } from "@remix-run/react";
import { formatInstant } from "../i18n";
import { rightsPanelMessages } from "../i18n/admin/rights-panel";
import { ColumnHeads, IntentButton } from "./admin-bits";
import { useLocale } from "./i18n";

/** Dates arrive from the loader as JSON strings. */
type When = Date | string | null;

export type RightsPanelProps = {
  restriction: null | {
    rows: {
      connectorId: string;
      label: string;
      state: "not_applied" | "no_records" | "applied" | "failed" | "not_supported" | "by_hand" | "lift_failed" | "lifted";
      records: number;
      appliedAt: When;
      appliedBy: string | null;
      liftedAt: When;
      liftedBy: string | null;
      byHand: boolean;
      handConfirmedAt: When;
      handConfirmedBy: string | null;
      error: string | null;
      canRetry: boolean;
      canConfirmHand: "applied" | "lifted" | null;
    }[];
    gatherFinished: boolean;
    canApply: boolean;
    canLift: boolean;
    isDpo: boolean;
    lift: null | {
      status: "scheduled" | "running" | "done" | "failed" | "stopped";
      scheduledAt: When;
      scheduledBy: string | null;
      dueAt: When;
      stoppedAt: When;
      stoppedBy: string | null;
      stopReason: "objected" | "other" | null;
      ranAt: When;
      completedAt: When;
    };
    canStopLift: boolean;
    canRetryLift: boolean;
    noticeDays: number;
  };
  objection: null | { status: { kind: "phone" | "email"; since: When }[]; canRecord: boolean };
};

/** Restriction (Art. 18) and objection (Art. 21) on the ticket page: states and dates, never the identifiers themselves. */
export function RightsPanel({ panel }: { panel: RightsPanelProps }) {
  const locale = useLocale();
  const m = rightsPanelMessages[locale];
  const at = (d: When) => (d ? formatInstant(new Date(d), locale) : "");
  const { restriction, objection } = panel;
  const inForce = restriction?.rows.some((r) => r.state === "applied" || r.state === "lift_failed" || r.state === "by_hand") ?? false;
  const lift = restriction?.lift ?? null;
  return (
    <>
      {restriction ? (
        <section className="panel" aria-labelledby="restriction-title" data-panel="restriction">
          <h2 id="restriction-title">{m.restrictionTitle}</h2>
          <p>{m.restrictionIntro}</p>
          {restriction.rows.length > 0 ? (
            <table>
              <caption>{m.caption}</caption>
              <ColumnHeads cols={[m.columns.system, m.columns.state, m.columns.records, m.columns.applied, m.columns.lifted, m.columns.detail, m.columns.action]} />
              <tbody>
                {restriction.rows.map((row) => (
                  <tr key={row.connectorId} data-restriction-connector={row.connectorId} data-restriction-state={row.state} data-restriction-by-hand={row.byHand ? "yes" : "no"}>
                    <th scope="row">{row.label}</th>
                    <td>{m.states[row.state]}</td>
                    <td>{row.records}</td>
                    <td>
                      {row.byHand
                        ? row.handConfirmedAt
                          ? m.handApplied(at(row.handConfirmedAt), row.handConfirmedBy)
                          : "—"
                        : row.appliedAt && row.state !== "failed"
                          ? m.when(at(row.appliedAt), row.appliedBy)
                          : "—"}
                    </td>
                    <td>{row.liftedAt ? (row.byHand ? m.handLifted(at(row.liftedAt), row.liftedBy) : row.liftedBy ? m.when(at(row.liftedAt), row.liftedBy) : m.liftedBySystem(at(row.liftedAt))) : "—"}</td>
                    <td>{row.state === "not_supported" ? m.notSupportedHint : row.error ?? ""}</td>
                    {/* Retry and confirm-by-hand in a column of their own, not under the error. */}
                    <td>
                      {row.canConfirmHand ? (
                        <IntentButton
                          intent="restriction-hand"
                          fields={{ connectorId: row.connectorId, what: row.canConfirmHand }}
                          label={row.canConfirmHand === "applied" ? m.confirmHandApplied : m.confirmHandLifted}
                          ariaLabel={(row.canConfirmHand === "applied" ? m.confirmHandAppliedFor : m.confirmHandLiftedFor)(row.label)}
                          link
                        />
                      ) : null}
                      {row.canRetry ? (
                        <IntentButton intent="restriction-retry" fields={{ connectorId: row.connectorId }} label={m.retry} ariaLabel={m.retryFor(row.label)} link />
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {!restriction.gatherFinished ? <p>{m.needGather}</p> : null}
          {lift ? (
            <p data-lift-status={lift.status}>
              {lift.status === "scheduled"
                ? m.liftScheduled(at(lift.scheduledAt), lift.scheduledBy, at(lift.dueAt))
                : lift.status === "running"
                  ? m.liftRunning
                  : lift.status === "failed"
                    ? m.liftFailed
                    : lift.status === "stopped"
                      ? m.liftStopped(at(lift.stoppedAt), lift.stoppedBy, lift.stopReason === "objected")
                      : lift.completedAt
                        ? m.liftCompleted(at(lift.completedAt))
                        : m.liftAwaitingHand}
            </p>
          ) : null}
          <div className="cta-row">
            {restriction.canApply ? <IntentButton intent="restriction-apply" label={m.apply} primary /> : null}
            {restriction.canLift ? (
              <Form method="post">
                <input type="hidden" name="intent" value="restriction-lift" />
                <button type="submit" className="button secondary" aria-describedby="restriction-lift-hint">
                  {m.lift}
                </button>{" "}
                <span id="restriction-lift-hint">{m.liftHint(restriction.noticeDays)}</span>
              </Form>
            ) : null}
            {restriction.canStopLift ? (
              <>
                <IntentButton intent="restriction-lift-stop" fields={{ reason: "objected" }} label={m.stopObjected} primary />
                <IntentButton intent="restriction-lift-stop" fields={{ reason: "other" }} label={m.stopOther} />
              </>
            ) : null}
            {restriction.canRetryLift ? <IntentButton intent="restriction-lift-retry" label={m.retryLift} /> : null}
            {inForce && !restriction.isDpo && !lift ? <p>{m.onlyDpoLifts}</p> : null}
          </div>
        </section>
      ) : null}
      {objection ? (
        <section className="panel" aria-labelledby="objection-title" data-panel="objection">
          <h2 id="objection-title">{m.objectionTitle}</h2>
          <p>{m.objectionIntro}</p>
          {objection.status.length === 0 ? (
            <p>{m.noContact}</p>
          ) : (
            <dl className="summary">
              {objection.status.map((s) => (
                <div key={s.kind} data-suppression-kind={s.kind} data-suppressed={s.since ? "yes" : "no"}>
                  <dt>{m.kinds[s.kind]}</dt>
                  <dd>{s.since ? m.listedSince(at(s.since)) : m.notListed}</dd>
                </div>
              ))}
            </dl>
          )}
          {objection.canRecord ? <IntentButton intent="objection-record" label={m.record} primary /> : null}
        </section>
      ) : null}
    </>
  );
}
