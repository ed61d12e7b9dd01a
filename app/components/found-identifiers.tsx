import type { FoundIdentifier } from "../services/identifiers.server";
import { useAdminT } from "./admin-i18n";
import { ColumnHeads, IntentButton } from "./admin-bits";

/** Emails and phones found in matching records: staff confirm one (audited) to search the other systems with it. */
export function FoundIdentifiers({ found, labels, canAct }: { found: FoundIdentifier[]; labels: Record<string, string>; canAct: boolean }) {
  const adminT = useAdminT();
  const s = adminT.answers.search;
  if (found.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="found-title">
      <h2 id="found-title">{s.foundTitle}</h2>
      <p>{s.foundIntro}</p>
      <table>
        <ColumnHeads cols={[s.foundValue, s.foundWhere, ""]} />
        <tbody>
          {found.map((f) => (
            <tr key={f.token} data-found-kind={f.kind} data-found-token={f.token}>
              <th scope="row">{f.value}</th>
              <td>{s.foundIn(`${labels[f.connectorId] ?? f.connectorId} (${f.dataset})`)}</td>
              <td>
                {canAct ? (
                  <>
                    <IntentButton intent="identifier-confirm" fields={{ token: f.token }} label={`${s.confirm} ${f.value}`} link />{" "}
                    <IntentButton intent="identifier-reject" fields={{ token: f.token }} label={s.reject} ariaLabel={`${s.reject} ${f.value}`} link />
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
