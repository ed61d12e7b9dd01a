import { ColumnHeads, IntentButton } from "./admin-bits";
import { useLocale } from "./i18n";
import { formatInstant } from "../i18n";
import { keptText } from "../i18n/erasure-outcome";
import { erasureMessages } from "../i18n/admin/erasure";
import type { PlanView } from "../services/erasure.server";

/** The erasure plan, its approval, its journal, the certificate and the Art. 19 notices. */
export function ErasurePanel(props: { reference: string; plan: PlanView | null; role: string; myId: number; gathered: boolean }) {
  const locale = useLocale();
  const m = erasureMessages[locale];
  const { plan, role } = props;
  const when = (d: Date | string) => formatInstant(new Date(d), locale);
  const canPlan = (role === "dpo" || role === "support") && props.gathered && (!plan || ["planned", "approved", "failed", "cancelled"].includes(plan.status));
  return (
    <section className="panel" aria-labelledby="erasure-title">
      <h2 id="erasure-title">{m.title}</h2>
      <p>{m.intro}</p>
      {!plan ? <p>{props.gathered ? m.none : m.needsGather}</p> : null}
      {plan ? (
        <>
          <p>
            <strong data-erasure-status={plan.status}>{m.statuses[plan.status]}</strong>
          </p>
          <ul>
            <li>{m.preparedBy(plan.preparedBy ?? "—", when(plan.preparedAt))}</li>
            {plan.approvedAt ? <li>{m.approvedBy(plan.approvedBy ?? "—", when(plan.approvedAt))}</li> : null}
          </ul>
          {plan.connectors.map((c) => (
            <div key={c.id}>
              <table>
                <caption>{m.caption(c.label)}</caption>
                <ColumnHeads cols={[m.cols.dataset, m.cols.action, m.cols.detail, m.cols.count]} />
                <tbody>
                  {c.rows.map((r, i) => (
                    <tr key={i} data-action={r.action} data-outcome={r.outcome}>
                      <td>{r.dataset}</td>
                      <td>{m.outcomes[r.outcome]}</td>
                      <td>
                        {r.removed.length ? <p>{m.removed(r.removed.join(", "))}</p> : null}
                        {r.kept.length ? (
                          <ul>
                            {r.kept.map((k, j) => (
                              <li key={j}>{keptText(k, locale)}</li>
                            ))}
                          </ul>
                        ) : r.outcome === "pseudonymised" ? (
                          <p>{m.undetailed}</p>
                        ) : r.outcome === "anonymised" ? (
                          <p>{m.nothingLeft}</p>
                        ) : (
                          "—"
                        )}
                      </td>
                      <td>{r.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {c.steps.length ? (
                <table>
                  <caption>{m.stepsCaption(c.label)}</caption>
                  <ColumnHeads cols={[m.stepCols.batch, m.stepCols.status, m.stepCols.attempts, m.stepCols.done, m.stepCols.retained, m.stepCols.error]} />
                  <tbody>
                    {c.steps.map((s) => (
                      <tr key={s.batch} data-step-status={s.status}>
                        <td>{s.batch + 1}</td>
                        <td>{m.stepStatuses[s.status] ?? s.status}</td>
                        <td>{s.attempts}</td>
                        <td>{s.done ?? "—"}</td>
                        <td>{s.retained ?? "—"}</td>
                        <td>{s.error ?? ""}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
            </div>
          ))}
          {plan.status === "failed" && plan.verification ? (
            <div className="error-box" role="alert">
              {Object.entries((plan.verification as { leftovers?: Record<string, number> }).leftovers ?? {}).map(([id, n]) => (
                <p key={id}>{m.leftovers(plan.connectors.find((c) => c.id === id)?.label ?? id, n)}</p>
              ))}
            </div>
          ) : null}
          {plan.certificateSha256 ? (
            <p>
              {m.certificate(plan.certificateSha256)} <a href={`/admin/demandes/${props.reference}/certificat`}>{m.viewCertificate}</a>
            </p>
          ) : null}
          {plan.status === "planned" && role === "dpo" ? (
            plan.preparedById === props.myId ? <p>{m.fourEyes}</p> : <IntentButton intent="erasure-approve" label={m.approve} primary />
          ) : null}
          {plan.notices.length ? (
            <table>
              <caption>{m.noticesTitle}</caption>
              <ColumnHeads cols={[m.noticeCols.recipient, m.noticeCols.sent, m.noticeCols.ack]} />
              <tbody>
                {plan.notices.map((n) => (
                  <tr key={n.id}>
                    <td>{n.recipient}</td>
                    <td>{when(n.sentAt)}</td>
                    <td>
                      {n.acknowledgedAt ? (
                        when(n.acknowledgedAt)
                      ) : role === "dpo" || role === "support" ? (
                        <IntentButton intent="notice-ack" label={`${m.acknowledge} — ${n.recipient}`} fields={{ noticeId: String(n.id) }} />
                      ) : (
                        m.pendingAck
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {plan.unreachable.length ? (
            <>
              <p>{m.unreachable}</p>
              <ul>
                {plan.unreachable.map((u) => (
                  <li key={u}>{u}</li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
      {canPlan ? <IntentButton intent="erasure-plan" label={plan ? m.replan : m.prepare} primary={!plan} /> : null}
    </section>
  );
}
