import { useAdminT } from "./admin-i18n";
import type { TicketView } from "./admin-bits";
import { useLocale } from "./i18n";
import { formatInstant } from "../i18n";
import { retentionMessages } from "../i18n/admin/retention";

/** Who asked (only for those who see the identity), or when the retention job purged it. */
export function RequesterPanel({ view }: { view: TicketView }) {
  const k = useAdminT().ticket;
  const locale = useLocale();
  return (
    <>
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
    </>
  );
}
