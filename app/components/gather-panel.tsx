import { Form } from "@remix-run/react";
import { useAdminT } from "./admin-i18n";
import { ColumnHeads, IntentButton, type TicketView } from "./admin-bits";
import { ArchiveReview } from "./archive-review";
import { TextArea } from "./fields";
import { useLocale } from "./i18n";
import { ticketPageMessages } from "../i18n/admin/ticket-page";
import type { ArchiveKind } from "../services/delivery.server";
import type { GatherRow } from "../services/gather.server";

type ArchiveSummary = { id: number; kind: ArchiveKind; downloads: number };

/**
 * The search in every system: each one's outcome, what it searched with, its
 * retries and waivers; then the answer it allows (an archive to release, the
 * no-data letter) and the archives already released.
 */
export function GatherPanel(props: {
  view: TicketView;
  gather: GatherRow[];
  role: string;
  isOpen: boolean;
  /** a search is queued or running */
  busy: boolean;
  connectorCount: number;
  connectorLabels: Record<string, string>;
  answerable: boolean;
  disclosable: boolean;
  noData: boolean;
  archives: ArchiveSummary[];
  withholdingsPending: Record<ArchiveKind, number>;
}) {
  const { view, gather, isOpen, busy, connectorCount, connectorLabels, answerable, disclosable, noData, archives, withholdingsPending } = props;
  const a = useAdminT();
  const ans = a.answers;
  const tp = ticketPageMessages[useLocale()];
  const canWork = props.role === "dpo" || props.role === "support";
  const isDpo = props.role === "dpo";
  // Each archive answers its own right: offered only when the request asks for it (the service refuses otherwise).
  // A withholding waiting for the DPO blocks that archive: explained (with the preview) by ArchiveReview instead.
  const releaseAccess = isDpo && view.rights.includes("access") && !withholdingsPending.access;
  const releasePortability = canWork && view.rights.includes("portability") && !withholdingsPending.portability;
  return (
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
  );
}
