import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useAdminT } from "../components/admin-i18n";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import type { Localised } from "../connectors/types";
import { ColumnHeads, IntentButton } from "../components/admin-bits";
import { useLocale } from "../components/i18n";
import { formatInstant } from "../i18n";
import { withholdingsMessages } from "../i18n/admin/withholdings";
import { DomainError, httpStatusOf } from "../services/errors";
import { decideWithholding, defaultArchiveKind, previewArchive, proposeWithholding, ProposeInput, withdrawWithholding, type WithholdingView } from "../services/withholdings.server";
import { connectors } from "../utils/connectors.server";
import { formData } from "../web/form.server";
import { requireStaff, type StaffCtx } from "../web/staff-session.server";

type Kind = "access" | "portability";

/** The kind asked for, or the one archive the request asks for (access first). */
async function kindOf(request: Request, ctx: StaffCtx, reference: string): Promise<Kind> {
  const asked = new URL(request.url).searchParams.get("kind");
  if (asked === "access" || asked === "portability") return asked;
  return await defaultArchiveKind({ ctx, reference });
}

function refusal(error: unknown) {
  if (!(error instanceof DomainError)) throw error;
  if (error.code === "not_found") throw data({ code: "not_found" }, { status: httpStatusOf(error.code) });
  const code = typeof error.detail.code === "string" ? error.detail.code : error.code;
  return { code, status: httpStatusOf(error.code) };
}

/** What the archive would hold, read by staff (audited in the service), with the withholdings beside each item. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  const reference = params.reference ?? "";
  try {
    return await previewArchive({ ctx, reference, kind: await kindOf(request, ctx, reference), registry: connectors() });
  } catch (error) {
    const r = refusal(error);
    throw data({ code: r.code }, { status: r.status });
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { ctx } = await requireStaff(request);
  const reference = params.reference ?? "";
  const form = await formData(request);
  const str = (k: string) => String(form.get(k) ?? "");
  const intent = str("intent");
  let kind: Kind = "access";
  let done = intent;
  try {
    kind = str("kind") === "portability" ? "portability" : str("kind") === "access" ? "access" : (await kindOf(request, ctx, reference));
    switch (intent) {
      case "withhold-propose": {
        const parsed = ProposeInput.safeParse({
          connectorId: str("connectorId"),
          dataset: str("dataset"),
          key: str("key"),
          field: str("field"),
          fileName: str("fileName"),
          scope: str("scope") || kind,
          ground: str("ground"),
          explanation: str("explanation"),
          note: str("note"),
        });
        if (!parsed.success) {
          const code = parsed.error.issues.some((i) => i.message === "explanation_required") ? "explanation_required" : "invalid_input";
          return data({ error: code, intent, item: str("item") }, { status: 400 });
        }
        const row = await proposeWithholding({ ctx, reference, input: parsed.data });
        if (row.state === "approved") done = "withhold-propose-dpo";
        break;
      }
      case "withhold-approve":
      case "withhold-reject":
        await decideWithholding({ ctx, reference, id: Number(str("id")) || 0, approve: intent === "withhold-approve" });
        break;
      case "withhold-withdraw":
        await withdrawWithholding({ ctx, reference, id: Number(str("id")) || 0 });
        break;
      default:
        return data({ error: "invalid_input", intent, item: "" }, { status: 400 });
    }
  } catch (error) {
    const r = refusal(error);
    return data({ error: r.code, intent, item: str("item") }, { status: r.status });
  }
  return redirect(`/admin/demandes/${reference}/apercu?kind=${kind}&fait=${done}`);
}

function Value({ value }: { value: string | number | boolean | null }) {
  const m = withholdingsMessages[useLocale()];
  const locale = useLocale();
  if (value === null || value === "") return <span className="hint">{m.empty_value}</span>;
  if (typeof value === "boolean") return <>{value ? (locale === "fr" ? "oui" : "yes") : locale === "fr" ? "non" : "no"}</>;
  if (typeof value === "number") return <>{new Intl.NumberFormat(locale === "en" ? "en-GB" : "fr-FR").format(value)}</>;
  return <>{value}</>;
}

/** The form that withholds one item: a record (or one of its fields), or a file. */
function WithholdForm({ id, target, fields, labels = {}, scopes, isDpo, kind, legend, error }: {
  id: string;
  target: { connectorId: string; dataset: string; key: string; fileName?: string };
  fields: string[];
  labels?: Record<string, Localised>;
  scopes: string[];
  isDpo: boolean;
  kind: Kind;
  legend: string;
  error?: string;
}) {
  const locale = useLocale();
  const m = withholdingsMessages[locale];
  return (
    <details className="withhold" open={error ? true : undefined}>
      <summary>{legend}</summary>
      <Form method="post">
        <input type="hidden" name="intent" value="withhold-propose" />
        <input type="hidden" name="kind" value={kind} />
        <input type="hidden" name="item" value={id} />
        <input type="hidden" name="connectorId" value={target.connectorId} />
        <input type="hidden" name="dataset" value={target.dataset} />
        <input type="hidden" name="key" value={target.key} />
        {target.fileName ? <input type="hidden" name="fileName" value={target.fileName} /> : null}
        {error ? (
          <p className="error-box" role="alert" id={`${id}-error`}>
            {error}
          </p>
        ) : null}
        {target.fileName ? null : (
          <div className="field">
            <label htmlFor={`${id}-field`}>{m.what}</label>
            <select id={`${id}-field`} name="field" defaultValue="">
              <option value="">{m.wholeRecord}</option>
              {fields.map((f) => (
                <option key={f} value={f}>
                  {m.oneField(labels[f]?.[locale] ?? f)}
                </option>
              ))}
            </select>
          </div>
        )}
        {scopes.length > 1 ? (
          <div className="field">
            <label htmlFor={`${id}-scope`}>{m.scope}</label>
            <select id={`${id}-scope`} name="scope" defaultValue={kind}>
              {[...scopes, "both"].map((s) => (
                <option key={s} value={s}>
                  {m.scopes[s]}
                </option>
              ))}
            </select>
          </div>
        ) : (
          <input type="hidden" name="scope" value={kind} />
        )}
        <fieldset className="field">
          <legend>{m.ground}</legend>
          {(["others_rights", "trade_secret", "other"] as const).map((g, i) => (
            <div className="choice" key={g}>
              <input type="radio" id={`${id}-ground-${g}`} name="ground" value={g} required defaultChecked={i === 0} />
              <label htmlFor={`${id}-ground-${g}`}>{m.grounds[g]}</label>
            </div>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-explanation`}>{m.explanation}</label>
          <p className="hint" id={`${id}-explanation-hint`}>
            {m.explanationHint}
          </p>
          <textarea id={`${id}-explanation`} name="explanation" maxLength={1000} rows={2} aria-describedby={`${id}-explanation-hint`} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-note`}>{m.note}</label>
          <p className="hint" id={`${id}-note-hint`}>
            {m.noteHint}
          </p>
          <textarea id={`${id}-note`} name="note" maxLength={2000} rows={2} aria-describedby={`${id}-note-hint`} />
        </div>
        <button type="submit" className="button secondary">
          {isDpo ? m.proposeDpo : m.propose}
        </button>
      </Form>
    </details>
  );
}

export default function ArchivePreview() {
  const p = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const locale = useLocale();
  const adminT = useAdminT();
  const m = withholdingsMessages[locale];
  const isDpo = p.me.role === "dpo";
  const kind = p.kind as Kind;
  const scopes = (["access", "portability"] as const).filter((k) => p.rights.includes(k));
  const live = p.withholdings.filter((w) => w.state === "pending" || w.state === "approved");
  const stateOf = (match: (w: WithholdingView) => boolean) => live.find(match);
  const errorFor = (id: string) => (result?.error && result.item === id ? (adminT.errors[result.error] ?? adminT.errors.invalid_input) : undefined);
  const kb = new Intl.NumberFormat(locale === "en" ? "en-GB" : "fr-FR", { style: "unit", unit: "kilobyte", maximumFractionDigits: 1 });
  const done = params.get("fait");
  const itemText = (w: WithholdingView) =>
    w.what === "file"
      ? m.itemFile(p.labels[w.connectorId] ?? w.connectorId, w.fileName)
      : w.what === "field"
        ? m.itemField(p.labels[w.connectorId] ?? w.connectorId, w.dataset, w.key, w.field)
        : m.itemRecord(p.labels[w.connectorId] ?? w.connectorId, w.dataset, w.key);
  let n = 0;
  return (
    <>
      <p>
        <Link to={`/admin/demandes/${p.reference}`}>{m.back}</Link>
      </p>
      <h1>{m.title(m.kinds[kind] ?? kind, p.reference)}</h1>
      {done && !result ? (
        <p className="flash" role="status">
          {m.done[done] ?? adminT.ticket.done}
        </p>
      ) : null}
      {result?.error && !result.item ? (
        <p className="error-box" role="alert">
          {adminT.errors[result.error] ?? adminT.errors.invalid_input}
        </p>
      ) : null}
      <p>{m.intro}</p>
      {scopes.length > 1 ? (
        <p>
          <Link to={`?kind=${kind === "access" ? "portability" : "access"}`}>{m.other(m.kinds[kind === "access" ? "portability" : "access"]!)}</Link>
        </p>
      ) : null}

      <section className="panel" aria-labelledby="withholdings-title">
        <h2 id="withholdings-title">{m.listTitle}</h2>
        {p.withholdings.length === 0 ? (
          <p>{m.none}</p>
        ) : (
          <table>
            <caption>{m.listCaption}</caption>
            <ColumnHeads cols={[m.cols.item, m.cols.ground, m.cols.state, m.cols.who, m.cols.actions]} />
            <tbody>
              {p.withholdings.map((w) => (
                <tr key={w.id} data-withholding={w.id} data-state={w.state}>
                  <th scope="row">
                    {itemText(w)}
                    <br />
                    <span className="hint">{m.scopes[w.scope]}</span>
                  </th>
                  <td>
                    {m.grounds[w.ground]}
                    {w.explanation ? <p>« {w.explanation} »</p> : null}
                    {w.note ? <p className="hint">{w.note}</p> : null}
                  </td>
                  <td>
                    {m.states[w.state]}
                    {w.decidedAt ? <p className="hint">{m.decided(w.decidedBy ?? "—", formatInstant(new Date(w.decidedAt), locale))}</p> : null}
                    {!w.found && (w.state === "pending" || w.state === "approved") ? <p className="hint">{m.notFound}</p> : null}
                  </td>
                  <td>{m.byOn(w.proposedBy ?? "—", formatInstant(new Date(w.proposedAt), locale))}</td>
                  <td>
                    {p.open && isDpo && w.state === "pending" ? (
                      <>
                        <IntentButton intent="withhold-approve" fields={{ id: String(w.id), kind }} label={m.approve} ariaLabel={`${m.approve} — ${itemText(w)}`} />
                        <IntentButton intent="withhold-reject" fields={{ id: String(w.id), kind }} label={m.reject} ariaLabel={`${m.reject} — ${itemText(w)}`} />
                      </>
                    ) : null}
                    {p.open && (w.state === "pending" || w.state === "approved") && (isDpo || w.proposedById === p.me.id) ? (
                      <IntentButton intent="withhold-withdraw" fields={{ id: String(w.id), kind }} label={m.withdraw} ariaLabel={`${m.withdraw} — ${itemText(w)}`} link />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {p.datasets.length === 0 && p.files.length === 0 ? <p>{m.empty}</p> : null}
      {p.datasets.map((d) => (
        <section className="panel" key={`${d.connectorId}:${d.dataset}`} aria-labelledby={`ds-${d.connectorId}-${d.dataset}`} data-dataset={`${d.connectorId}:${d.dataset}`}>
          <h2 id={`ds-${d.connectorId}-${d.dataset}`}>{m.datasetCaption(d.label, d.title?.[locale] ?? d.dataset, m.records(d.records.length, locale))}</h2>
          {d.records.map((r) => {
            const id = `w${++n}`;
            const whole = stateOf((w) => w.what === "record" && w.connectorId === d.connectorId && w.dataset === d.dataset && w.key === r.key);
            return (
              <div key={r.key} className="preview-record" data-record={r.key} data-withheld={whole?.state}>
                <table>
                  <caption>
                    {m.record} {r.key}
                    {whole ? ` — ${m.withholdState[whole.state]}` : ""}
                  </caption>
                  <ColumnHeads cols={[m.field, m.value, m.cols.state]} />
                  <tbody>
                    {r.fields.map((f) => {
                      const own = whole ?? stateOf((w) => w.what === "field" && w.connectorId === d.connectorId && w.dataset === d.dataset && w.key === r.key && w.field === f.name);
                      return (
                        <tr key={f.name} data-field={f.name} data-withheld={own?.state}>
                          <th scope="row">
                            {d.fieldLabels[f.name]?.[locale] ?? f.name} <code className="hint">{f.name}</code>
                          </th>
                          <td>
                            <Value value={f.value} />
                          </td>
                          <td>{own ? m.withholdState[own.state] : ""}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
                {p.open && !whole ? <WithholdForm id={id} target={{ connectorId: d.connectorId, dataset: d.dataset, key: r.key }} fields={r.allFields} labels={d.fieldLabels} scopes={scopes} isDpo={isDpo} kind={kind} legend={m.withholdRecord(r.key)} error={errorFor(id)} /> : null}
              </div>
            );
          })}
        </section>
      ))}
      {p.files.length > 0 ? (
        <section className="panel" aria-labelledby="files-title">
          <h2 id="files-title">{m.filesTitle}</h2>
          <table>
            <caption>{m.filesCaption}</caption>
            <ColumnHeads cols={[m.fileName, m.fileSystem, m.fileSize, m.cols.state, m.cols.actions]} />
            <tbody>
              {p.files.map((f) => {
                const id = `w${++n}`;
                const own = stateOf(
                  (w) => w.connectorId === f.connectorId && w.dataset === f.dataset && w.key === f.key && ((w.what === "file" && w.fileName === f.name) || w.what === "record"),
                );
                return (
                  <tr key={`${f.connectorId}:${f.key}:${f.name}`} data-file={f.name} data-file-key={f.key} data-withheld={own?.state}>
                    <th scope="row">{f.name}</th>
                    <td>{f.label}</td>
                    <td>{kb.format(f.size / 1000)}</td>
                    <td>{own ? m.withholdState[own.state] : ""}</td>
                    <td>
                      {p.open && !own ? <WithholdForm id={id} target={{ connectorId: f.connectorId, dataset: f.dataset, key: f.key, fileName: f.name }} fields={[]} scopes={scopes} isDpo={isDpo} kind={kind} legend={m.withholdFile(f.name)} error={errorFor(id)} /> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      ) : null}
    </>
  );
}
