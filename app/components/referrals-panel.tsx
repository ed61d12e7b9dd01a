import { Form } from "@remix-run/react";
import { INSTRUCTIONS } from "../../db/schema/referrals";
import { formatInstant } from "../i18n";
import { referralsMessages } from "../i18n/admin/referrals";
import { IntentButton } from "./admin-bits";
import { useLocale } from "./i18n";

type When = Date | string | null;

export type ReferralRow = {
  id: number;
  client: string;
  contact: string;
  datasets: string[];
  records: number;
  status: "sent" | "acknowledged" | "instructed";
  sentAt: When;
  acknowledgedAt: When;
  acknowledgedBy: string | null;
  reminders: number;
  lastRemindedAt: When;
  instructions: { kind: (typeof INSTRUCTIONS)[number]; note: string | null; by: string | null; at: When }[];
};

/** Data held as a processor: the request forwarded to each client, where it stands, and the forms to record what the client said. */
export function ReferralsPanel({ referrals, canAct }: { referrals: ReferralRow[]; canAct: boolean }) {
  const locale = useLocale();
  const m = referralsMessages[locale];
  const at = (d: When) => (d ? formatInstant(new Date(d), locale) : "");
  return (
    <section className="panel" aria-labelledby="referrals-title">
      <h2 id="referrals-title">{m.title}</h2>
      <p>{m.intro}</p>
      {referrals.map((r) => (
        <article key={r.id} data-referral-status={r.status} aria-labelledby={`referral-${r.id}`}>
          <h3 id={`referral-${r.id}`}>{r.client}</h3>
          <dl className="summary">
            <dt>{m.state}</dt>
            <dd>
              <strong>{m.states[r.status](r.client)}</strong>
            </dd>
            <dt>{m.contact}</dt>
            <dd>{r.contact}</dd>
            <dt>{m.datasets}</dt>
            <dd>
              {r.datasets.join(", ")} — {m.records(r.records)}
            </dd>
            <dt>{m.client}</dt>
            <dd>
              {m.sentAt(at(r.sentAt))}
              {r.acknowledgedAt ? <> · {m.acknowledgedAt(at(r.acknowledgedAt), r.acknowledgedBy)}</> : null}
              {r.reminders > 0 ? <> · {m.reminders(r.reminders, at(r.lastRemindedAt))}</> : null}
            </dd>
          </dl>
          {r.instructions.length > 0 ? (
            <>
              <h4>{m.instructionsTitle}</h4>
              <ul>
                {r.instructions.map((i, n) => (
                  <li key={n} data-instruction={i.kind}>
                    {m.instructionLine(m.instructions[i.kind], at(i.at), i.by)}
                    {i.note ? <> — « {i.note} »</> : null}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {canAct ? (
            <>
              {r.status === "sent" ? <IntentButton intent="referral-ack" label={m.acknowledge} ariaLabel={m.acknowledgeFor(r.client)} fields={{ referralId: String(r.id) }} /> : null}
              <Form method="post">
                <input type="hidden" name="intent" value="referral-instruct" />
                <input type="hidden" name="referralId" value={r.id} />
                <div className="field">
                  <label htmlFor={`instruction-${r.id}`}>{m.instructionLabel}</label>
                  <select id={`instruction-${r.id}`} name="instruction" required>
                    {INSTRUCTIONS.map((k) => (
                      <option key={k} value={k}>
                        {m.instructions[k]}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor={`instruction-note-${r.id}`}>{m.noteLabel}</label>
                  <textarea id={`instruction-note-${r.id}`} name="note" rows={3} maxLength={1000} />
                </div>
                <button type="submit">{m.record}</button>
              </Form>
            </>
          ) : null}
        </article>
      ))}
    </section>
  );
}
