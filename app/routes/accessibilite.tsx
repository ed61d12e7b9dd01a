import { useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { Address, longDate } from "../components/transparency";
import { accessibilityStatement } from "../services/transparency.server";
import { pageTitle } from "../utils/meta";

export const meta = pageTitle((t) => t.transparency.accessibility.title, "accessibility");

export async function loader() {
  return accessibilityStatement();
}

/**
 * The Défenseur des droits, the remedy the RGAA's model statement names: a
 * national authority, the same for every installation, so not configuration.
 */
const DEFENSEUR = {
  form: "https://formulaire.defenseurdesdroits.fr/",
  delegates: "https://www.defenseurdesdroits.fr/saisir/delegues",
  phone: "09 69 39 00 00",
  post: "Défenseur des droits\nLibre réponse 71120\n75342 Paris CEDEX 07",
};

/**
 * The accessibility statement in the RGAA 4.1 form. The status follows from
 * the configured audit (none: "non conforme"), the checks are those the
 * project actually runs (axe-core in tests/e2e/journeys.test.ts), stated as
 * automated checks, not an audit.
 */
export default function AccessibilityStatement() {
  const s = useLoaderData<typeof loader>();
  const all = useT();
  const t = all.transparency.accessibility;
  const tag = all.dateLocale;
  const locale = useLocale();
  const { audit, checks, knownIssues, statementDate } = s.accessibility;
  return (
    <>
      <h1>{t.title}</h1>
      <p>{t.commitment(s.controllerName)}</p>
      <p>{t.scope(s.site)}</p>

      <h2>{t.statusTitle}</h2>
      <p>
        <strong>{t.status(all.transparency.status[s.status])}</strong>
      </p>
      {!audit && <p>{t.noAudit}</p>}

      <h2>{t.resultsTitle}</h2>
      {audit && (
        <>
          <p>{t.auditResult(audit.auditor, longDate(audit.date, tag), audit.rate.toLocaleString(tag, { maximumFractionDigits: 1 }))}</p>
          <p>{t.auditPages}</p>
          <PageList pages={audit.pages} />
        </>
      )}
      <p>{t.checksResult(longDate(checks.date, tag))}</p>

      <h2>{t.nonAccessibleTitle}</h2>
      <h3>{t.nonCompliance}</h3>
      {knownIssues.length === 0 ? (
        <p>{t.noKnownIssue}</p>
      ) : (
        <ul>
          {knownIssues.map((issue) => (
            <li key={issue.fr}>{issue[locale]}</li>
          ))}
        </ul>
      )}
      <p>{t.derogations}</p>

      <h2>{t.establishedTitle}</h2>
      <p>{t.established(longDate(statementDate, tag))}</p>
      <p>{t.technologies}</p>
      <p>{t.tools}</p>
      <ul>
        {checks.tools.map((tool) => (
          <li key={tool}>{tool}</li>
        ))}
      </ul>
      <p>{t.pages}</p>
      <PageList pages={checks.pages} />

      <h2>{t.contactTitle}</h2>
      <p>{t.contact(s.controllerName)}</p>
      <ul>
        <li>
          {t.contactEmail} <a href={`mailto:${s.contact}`}>{s.contact}</a>
        </li>
        <li>
          {t.contactPost} <Address>{s.postalAddress}</Address>
        </li>
        <li>
          {t.contactPhone} {s.phone}
        </li>
      </ul>

      <h2>{t.remedyTitle}</h2>
      <p>{t.remedyWhen}</p>
      <ul>
        <li>
          {t.remedyForm} <a href={DEFENSEUR.form}>{DEFENSEUR.form}</a>
        </li>
        <li>
          {t.remedyDelegate} <a href={DEFENSEUR.delegates}>{DEFENSEUR.delegates}</a>
        </li>
        <li>
          {t.remedyPhone} {DEFENSEUR.phone}
        </li>
        <li>
          {t.remedyPost} <Address>{DEFENSEUR.post}</Address>
        </li>
      </ul>
    </>
  );
}

function PageList({ pages }: { pages: string[] }) {
  return (
    <ul>
      {pages.map((p) => (
        <li key={p}>
          <code>{p}</code>
        </li>
      ))}
    </ul>
  );
}
