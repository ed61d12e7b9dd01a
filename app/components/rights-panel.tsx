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
      state: "not_applied" | "no_records" | "applied" | "failed" | "not_supported" | "lift_failed" | "lifted";
      records: number;
      appliedAt: When;
      appliedBy: string | null;
      liftedAt: When;
      liftedBy: string | null;
      error: string | null;
      canRetry: boolean;
    }[];
    gatherFinished: boolean;
    canApply: boolean;
    canLift: boolean;
    isDpo: boolean;
  };
  objection: null | { status: { kind: "phone" | "email"; since: When }[]; canRecord: boolean };
};

/** Restriction (Art. 18) and objection (Art. 21) on the ticket page: states and dates, never the identifiers themselves. */
export function RightsPanel({ panel }: { panel: RightsPanelProps }) {
  const locale = useLocale();
  const m = rightsPanelMessages[locale];
  const at = (d: When) => (d ? formatInstant(new Date(d), locale) : "");
  const { restriction, objection } = panel;
  const inForce = restriction?.rows.some((r) => r.state === "applied" || r.state === "lift_failed") ?? false;
  return (
    <>
      {restriction ? (
        <section className="panel" aria-labelledby="restriction-title" data-panel="restriction">
          <h2 id="restriction-title">{m.restrictionTitle}</h2>
          <p>{m.restrictionIntro}</p>
          {restriction.rows.length > 0 ? (
            <table>
              <caption>{m.caption}</caption>
              <ColumnHeads cols={[m.columns.system, m.columns.state, m.columns.records, m.columns.applied, m.columns.lifted, m.columns.detail]} />
              <tbody>
                {restriction.rows.map((row) => (
                  <tr key={row.connectorId} data-restriction-connector={row.connectorId} data-restriction-state={row.state}>
                    <th scope="row">{row.label}</th>
                    <td>{m.states[row.state]}</td>
                    <td>{row.records}</td>
                    <td>{row.appliedAt && row.state !== "failed" && row.state !== "not_supported" ? m.when(at(row.appliedAt), row.appliedBy) : "—"}</td>
                    <td>{row.liftedAt ? m.when(at(row.liftedAt), row.liftedBy) : "—"}</td>
                    <td>
                      {row.state === "not_supported" ? m.notSupportedHint : row.error ?? ""}
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
          <div className="cta-row">
            {restriction.canApply ? <IntentButton intent="restriction-apply" label={m.apply} primary /> : null}
            {restriction.canLift ? (
              <Form method="post">
                <input type="hidden" name="intent" value="restriction-lift" />
                <button type="submit" className="button secondary" aria-describedby="restriction-lift-hint">
                  {m.lift}
                </button>{" "}
                <span id="restriction-lift-hint">{m.liftHint}</span>
              </Form>
            ) : null}
            {inForce && !restriction.isDpo ? <p>{m.onlyDpoLifts}</p> : null}
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
