import { useAdminT } from "./admin-i18n";
import { ColumnHeads } from "./admin-bits";
import type { Discrepancy } from "../services/discrepancies.server";
import type { GatherRow } from "../services/gather.server";

/** Where the systems disagree about the person (a spelling, a different value): each value with the system holding it. */
export function DiscrepanciesPanel({ discrepancies, gather }: { discrepancies: Discrepancy[]; gather: GatherRow[] }) {
  const a = useAdminT();
  return (
    <section className="panel" aria-labelledby="discrepancies-title">
      <h2 id="discrepancies-title">{a.discrepancies.title}</h2>
      <p>{a.discrepancies.intro}</p>
      <table>
        <ColumnHeads cols={[a.discrepancies.field, a.discrepancies.kind, a.discrepancies.values]} />
        <tbody>
          {discrepancies.map((d) => (
            <tr key={`${d.field}:${d.question ?? ""}`} data-field={d.field} data-kind={d.kind}>
              <th scope="row">{d.field === "answer" ? `${a.discrepancies.answer} « ${d.question} »` : a.discrepancies.fields[d.field]}</th>
              <td>{d.kind === "spelling" ? a.discrepancies.spelling : a.discrepancies.different}</td>
              <td>
                <ul>
                  {d.values.map((v, i) => (
                    <li key={i}>
                      {gather.find((g) => g.connectorId === v.connectorId)?.label ?? v.connectorId} : « {v.value} »
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
