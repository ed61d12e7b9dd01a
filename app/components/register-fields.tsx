import { z } from "zod";
import type { RegisterMessages } from "../i18n/admin/register";
import { TextArea, TextField } from "./fields";

/** Presentational pieces shared by the register's operation and client pages. */

export function Items({ items, empty }: { items: string[] | undefined; empty?: string }) {
  if (!items?.length) return <>{empty ?? "—"}</>;
  return (
    <ul>
      {items.map((item) => (
        <li key={item}>{item}</li>
      ))}
    </ul>
  );
}

/** A multi-line text (an address) with its line breaks. */
export function Lines({ text }: { text: string }) {
  const parts = text.split("\n");
  return (
    <>
      {parts.map((line, i) => (
        <span key={i}>
          {line}
          {i < parts.length - 1 ? <br /> : null}
        </span>
      ))}
    </>
  );
}

export type TransferRow = { recipient: string; country: string; safeguard: string };

/** The transfers as the forms show them, one per line: the format the register service parses back. */
export function transfersAsText(list: TransferRow[]): string {
  return list.map((t) => `${t.recipient} ; ${t.country} ; ${t.safeguard}`).join("\n");
}

/** Transfers outside the EU, or the sentence saying there are none. */
export function Transfers({ transfers, m }: { transfers: TransferRow[] | undefined; m: RegisterMessages }) {
  if (!transfers?.length) return <>{m.noTransfers}</>;
  return (
    <ul>
      {transfers.map((t) => (
        <li key={`${t.recipient}|${t.country}|${t.safeguard}`}>{m.transferLine(t)}</li>
      ))}
    </ul>
  );
}

/** The client form's fields, in order (the page renders in the browser too, so not imported from the service). */
export const CLIENT_FORM_FIELDS = ["name", "aliases", "contactEmail", "address", "dpoContact", "processingCategories", "transfers", "securityMeasures"] as const;
export type ClientFormField = (typeof CLIENT_FORM_FIELDS)[number] | "code";

/** A client's form as posted, creating or editing: every field a string, lists one item per line. The service validates. */
const formText = z.string().max(20_000).catch("");
export const ClientForm = z.object(Object.fromEntries(CLIENT_FORM_FIELDS.map((f) => [f, formText])) as Record<(typeof CLIENT_FORM_FIELDS)[number], typeof formText>);

const CLIENT_LONG: ReadonlySet<string> = new Set(["aliases", "address", "processingCategories", "transfers", "securityMeasures"]);
const CLIENT_OPTIONAL: ReadonlySet<string> = new Set(["processingCategories", "transfers", "securityMeasures"]);

/** The error summary of a register form: each problem links to its field. */
export function ErrorSummary({ fields, message, label, title }: { fields: string[]; message: (f: string) => string; label: (f: string) => string; title: string }) {
  if (!fields.length) return null;
  return (
    <div className="error-summary" role="alert" aria-labelledby="error-summary-title">
      <h3 id="error-summary-title">{title}</h3>
      <ul>
        {fields.map((f) => (
          <li key={f}>
            <a href={`#${f}`}>
              {label(f)} : {message(f)}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The fields of a client's record, for the create and edit forms. */
export function ClientFormFields({
  m,
  values,
  errors,
  withCode,
}: {
  m: RegisterMessages;
  values: Partial<Record<ClientFormField, string>>;
  errors: Partial<Record<ClientFormField, string>>;
  withCode: boolean;
}) {
  const c = m.clients;
  const error = (f: ClientFormField) => (errors[f] ? (m.errors[errors[f]!] ?? m.errors.invalid) : undefined);
  const hints: Partial<Record<ClientFormField, string>> = {
    code: c.codeHint,
    aliases: c.aliasesHint,
    processingCategories: c.processingCategoriesHint,
    transfers: m.transfersHint,
    securityMeasures: m.securityMeasuresHint,
  };
  return (
    <>
      {withCode ? <TextField name="code" label={c.fields.code!} hint={hints.code} required maxLength={40} defaultValue={values.code ?? ""} error={error("code")} /> : null}
      {CLIENT_FORM_FIELDS.map((f) =>
        CLIENT_LONG.has(f) ? (
          <TextArea key={f} name={f} label={c.fields[f]!} hint={hints[f]} required={!CLIENT_OPTIONAL.has(f)} defaultValue={values[f] ?? ""} error={error(f)} />
        ) : (
          <TextField
            key={f}
            name={f}
            type={f === "contactEmail" ? "email" : "text"}
            label={c.fields[f]!}
            required
            maxLength={f === "dpoContact" ? 500 : 200}
            defaultValue={values[f] ?? ""}
            error={error(f)}
          />
        ),
      )}
    </>
  );
}

/** The replaced versions of a register entry, newest first, each openable to read as it stood. */
export function VersionHistory<S, F extends string>({
  history,
  m,
  empty,
  fieldLabel,
  stamp,
  by,
  render,
}: {
  history: { version: number; snapshot: S; writtenAt: Date | string; writtenByName: string | null; replacedAt: Date | string; replacedByName: string | null; changed: F[] }[];
  m: RegisterMessages;
  empty: string;
  fieldLabel: (f: F) => string;
  stamp: (d: Date | string) => React.ReactNode;
  by: (name: string | null) => string;
  render: (snapshot: S) => React.ReactNode;
}) {
  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title">{m.history}</h2>
      {history.length === 0 ? (
        <p>{empty}</p>
      ) : (
        <table>
          <caption className="visually-hidden">{m.historyCaption}</caption>
          <thead>
            <tr>
              <th scope="col">{m.historyColumns.version}</th>
              <th scope="col">{m.historyColumns.written}</th>
              <th scope="col">{m.historyColumns.replaced}</th>
              <th scope="col">{m.historyColumns.changed}</th>
              <th scope="col">{m.historyColumns.content}</th>
            </tr>
          </thead>
          <tbody>
            {history.map((h) => (
              <tr key={h.version} data-version={h.version}>
                <th scope="row">{m.version(h.version)}</th>
                <td>
                  {stamp(h.writtenAt)} {by(h.writtenByName)}
                </td>
                <td>
                  {stamp(h.replacedAt)} {by(h.replacedByName)}
                </td>
                <td>{h.changed.map(fieldLabel).join(", ") || "—"}</td>
                <td>
                  <details>
                    <summary>{m.showVersion(h.version)}</summary>
                    {render(h.snapshot)}
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
