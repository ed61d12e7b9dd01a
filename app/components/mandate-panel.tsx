import { Form } from "@remix-run/react";
import { useAdminT } from "./admin-i18n";
import type { MandateView } from "../services/mandates.server";
import { IntentButton, LocalDate } from "./admin-bits";
import { TextArea } from "./fields";

/** The mandate a representative gave, read (and audited) before any search; accepted or rejected with a reason. */
export function MandatePanel({ reference, mandate, canReview }: { reference: string; mandate: MandateView; canReview: boolean }) {
  const adminT = useAdminT();
  const m = adminT.answers.mandate;
  return (
    <section className="panel" aria-labelledby="mandate-title" data-mandate-status={mandate.status ?? ""}>
      <h2 id="mandate-title">
        {m.title} — {m.status[mandate.status ?? "pending"]}
      </h2>
      <p>{m.intro}</p>
      <dl className="summary">
        <dt>{m.subject}</dt>
        <dd>{mandate.subject}</dd>
        <dt>{m.rights}</dt>
        <dd>{mandate.rights.map((r) => adminT.rights[r]).join(", ")}</dd>
        <dt>{m.until}</dt>
        <dd>
          <LocalDate iso={mandate.until} />
        </dd>
        <dt>{m.scope}</dt>
        <dd>{mandate.scope ?? "—"}</dd>
        <dt>{m.answerTo}</dt>
        <dd>{mandate.answerTo === "subject" ? m.answerSubject : m.answerRepresentative}</dd>
      </dl>
      {mandate.file ? (
        <p>
          <a href={`/admin/demandes/${reference}/mandat`} download>
            {m.file}
          </a>
        </p>
      ) : null}
      <h3>{m.identifiers}</h3>
      <ul>
        {mandate.identifiers.map((i) => (
          <li key={`${i.kind}:${i.value}`} data-identifier-status={i.status}>
            {i.value} — {m.identifierStatus[i.status] ?? i.status}
          </li>
        ))}
      </ul>
      {mandate.rejection ? <p>{mandate.rejection}</p> : null}
      {canReview && mandate.status === "pending" ? (
        <div className="cta-row">
          <IntentButton intent="mandate-accept" label={m.accept} primary />
          <Form method="post">
            <input type="hidden" name="intent" value="mandate-reject" />
            <TextArea name="reason" label={m.rejectReason} maxLength={2000} />
            <button type="submit" className="button secondary">
              {m.reject}
            </button>
          </Form>
        </div>
      ) : null}
    </section>
  );
}
