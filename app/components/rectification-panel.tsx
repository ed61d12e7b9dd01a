import { Form } from "@remix-run/react";
import { ColumnHeads, IntentButton } from "./admin-bits";
import { useLocale } from "./i18n";
import { erasureMessages } from "../i18n/admin/erasure";
import type { EditableField, RectificationView } from "../services/rectification.server";

const shown = (v: unknown, empty: string) => (v === null || v === undefined || v === "" ? empty : String(v));

/** The change set form (staff), its before/after diff and approval (DPO), and its outcome. */
export function RectificationPanel(props: { fields: EditableField[]; current: RectificationView | null; role: string }) {
  const m = erasureMessages[useLocale()].rect;
  const { current, role } = props;
  const canPrepare = role === "dpo" || role === "support";
  return (
    <section className="panel" aria-labelledby="rectification-title">
      <h2 id="rectification-title">{m.title}</h2>
      <p>{m.intro}</p>
      {current ? (
        <>
          <p>
            <strong data-rectification-status={current.status}>{m.statuses[current.status]}</strong> — {m.preparedBy(current.preparedBy ?? "—")}
          </p>
          {current.error ? (
            <p className="error-box" role="alert">
              {current.error}
            </p>
          ) : null}
          <table>
            <caption>{m.diffCaption}</caption>
            <ColumnHeads cols={[m.cols.system, m.cols.field, m.cols.before, m.cols.after]} />
            <tbody>
              {current.changes.map((c, i) => (
                <tr key={i}>
                  <td>{c.connectorLabel}</td>
                  <td>
                    {c.dataset}.{c.field}
                  </td>
                  <td>
                    <del>{shown(c.from, m.empty)}</del>
                  </td>
                  <td>
                    <ins>{shown(c.to, m.empty)}</ins>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {role === "dpo" && (current.status === "prepared" || current.status === "failed") ? <IntentButton intent="rectification-approve" label={m.approve} primary /> : null}
        </>
      ) : null}
      {canPrepare && (!current || current.status !== "approved") ? (
        props.fields.length ? (
          <Form method="post">
            <input type="hidden" name="intent" value="rectification-prepare" />
            <table>
              <caption>{m.caption}</caption>
              <ColumnHeads cols={[m.cols.system, m.cols.field, m.cols.current, m.cols.next]} />
              <tbody>
                {props.fields.map((f) => (
                  <tr key={f.token}>
                    <td>{f.connectorLabel}</td>
                    <td>
                      {f.dataset}.{f.field}
                    </td>
                    <td>{shown(f.value, m.empty)}</td>
                    <td>
                      <input type="text" name={`to:${f.token}`} aria-label={m.newValue(`${f.dataset}.${f.field}`, f.connectorLabel)} maxLength={500} autoComplete="off" />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <button type="submit" className="button secondary">
              {m.prepare}
            </button>
          </Form>
        ) : (
          <p>{m.none}</p>
        )
      ) : null}
    </section>
  );
}
