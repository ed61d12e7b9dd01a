import { Form } from "@remix-run/react";
import { useAdminT } from "./admin-i18n";
import { formatInstant } from "../i18n";
import type { AnomalyView } from "../services/date-readings.server";
import { ColumnHeads, LocalDate } from "./admin-bits";
import { useLocale } from "./i18n";

/**
 * What the connectors could not read, as stored: the system, dataset,
 * record and field of each value, and for a date whose day and month could
 * be swapped, each possible reading — with a choice for the DPO and support.
 */
export function AnomaliesPanel({ anomalies, canChoose }: { anomalies: AnomalyView[]; canChoose: boolean }) {
  const m = useAdminT().anomalies;
  const locale = useLocale();
  const formatName = (format: string) => m.formats[format] ?? format;
  return (
    <section className="panel" aria-labelledby="anomalies-title">
      <h2 id="anomalies-title">{m.title}</h2>
      <p>{m.intro}</p>
      <table>
        <caption>{m.caption}</caption>
        <ColumnHeads cols={[m.system, m.dataset, m.record, m.field, m.raw, m.reading]} />
        <tbody>
          {anomalies.map((a, i) => (
            <tr key={a.token} data-anomaly-kind={a.kind} data-field={a.field}>
              <th scope="row">{a.connectorLabel}</th>
              <td>{a.dataset}</td>
              <td>{a.record}</td>
              <td>{a.field}</td>
              <td>
                <code>{a.raw}</code>
              </td>
              <td>
                {a.kind === "unreadable" ? m.unreadable(a.expected) : null}
                {a.kind === "ambiguous" && canChoose ? (
                  <Form method="post">
                    <input type="hidden" name="intent" value="date-reading" />
                    <input type="hidden" name="token" value={a.token} />
                    <fieldset className="field">
                      <legend>{m.legend(a.raw, `${a.dataset}.${a.field}, ${m.record.toLowerCase()} ${a.record}`)}</legend>
                      {a.readings.map((r, j) => (
                        <div className="choice" key={r.format}>
                          <input type="radio" id={`reading-${i}-${j}`} name="format" value={r.format} defaultChecked={a.chosen?.format === r.format} required />
                          <label htmlFor={`reading-${i}-${j}`}>
                            <LocalDate iso={r.value} /> — {formatName(r.format)}
                          </label>
                        </div>
                      ))}
                    </fieldset>
                    <button type="submit" className="button secondary">
                      {m.choose}
                    </button>
                  </Form>
                ) : null}
                {a.kind === "ambiguous" && !canChoose ? (
                  <ul>
                    {a.readings.map((r) => (
                      <li key={r.format}>
                        <LocalDate iso={r.value} /> — {formatName(r.format)}
                      </li>
                    ))}
                  </ul>
                ) : null}
                {a.kind === "ambiguous" ? (
                  a.chosen ? (
                    <p data-chosen-format={a.chosen.format}>
                      {m.chosen} <LocalDate iso={a.chosen.value} /> ({formatName(a.chosen.format)}), {m.chosenOn(formatInstant(new Date(a.chosen.decidedAt), locale))}.
                    </p>
                  ) : (
                    <p>{m.notChosen}</p>
                  )
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
