import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { FieldMessages, Fieldset, TextArea, TextField } from "../components/fields";
import { Items, Transfers, transfersAsText, VersionHistory } from "../components/register-fields";
import { useLocale } from "../components/i18n";
import { formatInstant } from "../i18n";
import { registerMessages, type RegisterMessages } from "../i18n/admin/register";
import { DomainError, httpStatusOf } from "../services/errors";
import { getOperation, updateOperation, type FieldErrors, type OperationField } from "../services/register.server";
import { requireStaff, rethrowDomain } from "../web/staff-session.server";
import type { Editable } from "../services/register.server";
import { formData } from "../web/form.server";

/** The editable fields, in form order (the page renders in the browser too, so not imported from the service). */
const FIELDS = [
  "name",
  "purpose",
  "legalBasis",
  "dataCategories",
  "personCategories",
  "recipients",
  "source",
  "retention",
  "retentionDays",
  "datasets",
  "role",
  "controllerClient",
  "jointControllers",
  "processors",
  "transfers",
  "securityMeasures",
  "sensitiveData",
] as const satisfies readonly OperationField[];
// Fails to compile if the service gains a field this form does not show.
const everyField: Exclude<OperationField, (typeof FIELDS)[number]> extends never ? true : never = true;
void everyField;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  try {
    return await getOperation(ctx, params.code ?? "");
  } catch (error) {
    rethrowDomain(error);
  }
}

/** The form as posted: every field a string; lists are one item per line. The service validates. */
const text = z.string().max(20_000).catch("");
const EditForm = z.object({
  name: text,
  purpose: text,
  legalBasis: text,
  dataCategories: text,
  personCategories: text,
  recipients: text,
  source: text,
  retention: text,
  retentionDays: text,
  datasets: text,
  role: text,
  controllerClient: text,
  jointControllers: text,
  processors: text,
  transfers: text,
  securityMeasures: text,
  sensitiveData: text,
  expectedVersion: z.coerce.number().int().positive().optional().catch(undefined),
}) satisfies z.ZodType<Record<OperationField, string> & { expectedVersion?: number }>;

export async function action({ request, params }: ActionFunctionArgs) {
  const { ctx } = await requireStaff(request);
  const code = params.code ?? "";
  const { expectedVersion, ...values } = EditForm.parse(Object.fromEntries(await formData(request)));
  try {
    const saved = await updateOperation({ ctx, code, input: values, expectedVersion });
    return redirect(`/admin/registre/${saved.code}?fait=${saved.changed.length ? "modifie" : "inchange"}`);
  } catch (error) {
    if (error instanceof DomainError && error.code === "invalid_input") {
      return data({ errors: (error.detail.fields ?? {}) as FieldErrors, conflict: false, values }, { status: httpStatusOf(error.code) });
    }
    if (error instanceof DomainError && error.code === "conflict") {
      return data({ errors: {} as FieldErrors, conflict: true, values }, { status: httpStatusOf(error.code) });
    }
    rethrowDomain(error);
  }
}

/** A version as stored: versions written before a field existed lack it. */
type Content = Pick<Editable, "name" | "purpose" | "legalBasis" | "dataCategories" | "personCategories" | "recipients" | "source" | "retention" | "retentionDays" | "datasets"> &
  Partial<Editable>;

const ROLES = ["controller", "processor", "joint_controller"] as const;

function OperationFields({ op, m, clients }: { op: Content; m: RegisterMessages; clients: Map<string, string> }) {
  const role = op.role ?? "controller";
  const client = op.controllerClient ?? null;
  return (
    <dl className="summary">
      <dt>{m.fields.role}</dt>
      <dd data-field="role" data-role={role}>
        {role === "processor" && client ? (
          <Link to={`/admin/registre/clients/${client}`}>{m.processorFor(clients.get(client) ?? client)}</Link>
        ) : (
          (m.roles[role] ?? role)
        )}
      </dd>
      <dt>{m.fields.jointControllers}</dt>
      <dd data-field="jointControllers">
        <Items items={op.jointControllers} empty={m.noneListed} />
      </dd>
      <dt>{m.fields.name}</dt>
      <dd>{op.name}</dd>
      <dt>{m.fields.purpose}</dt>
      <dd>{op.purpose}</dd>
      <dt>{m.fields.legalBasis}</dt>
      <dd>{op.legalBasis}</dd>
      <dt>{m.fields.dataCategories}</dt>
      <dd>
        <Items items={op.dataCategories} />
      </dd>
      <dt>{m.fields.personCategories}</dt>
      <dd>
        <Items items={op.personCategories} />
      </dd>
      <dt>{m.fields.recipients}</dt>
      <dd>
        <Items items={op.recipients} />
      </dd>
      <dt>{m.fields.source}</dt>
      <dd>{op.source}</dd>
      <dt>{m.fields.retention}</dt>
      <dd>{op.retention}</dd>
      <dt>{m.fields.retentionDays}</dt>
      <dd data-retention-days={op.retentionDays ?? ""}>{op.retentionDays !== null ? m.days(op.retentionDays) : m.noDays}</dd>
      <dt>{m.fields.datasets}</dt>
      <dd>
        <Items items={op.datasets} empty={m.noDatasets} />
      </dd>
      <dt>{m.fields.processors}</dt>
      <dd data-field="processors">
        <Items items={op.processors} empty={m.noneListed} />
      </dd>
      <dt>{m.fields.transfers}</dt>
      <dd data-field="transfers">
        <Transfers transfers={op.transfers} m={m} />
      </dd>
      <dt>{m.fields.securityMeasures}</dt>
      <dd data-field="securityMeasures">
        <Items items={op.securityMeasures} empty={m.noneListed} />
      </dd>
      <dt>{m.fields.sensitiveData}</dt>
      <dd data-field="sensitiveData">{op.sensitiveData ?? m.noSensitiveData}</dd>
    </dl>
  );
}

const LIST_FIELDS = new Set<OperationField>(["dataCategories", "personCategories", "recipients", "datasets", "jointControllers", "processors", "transfers", "securityMeasures"]);
const LONG_FIELDS = new Set<OperationField>(["purpose", "legalBasis", "source", "retention", "sensitiveData"]);
const OPTIONAL_FIELDS = new Set<OperationField>(["datasets", "jointControllers", "processors", "transfers", "securityMeasures", "sensitiveData"]);

const HINTS: Partial<Record<OperationField, (m: RegisterMessages) => string>> = {
  datasets: (m) => m.datasetsHint,
  jointControllers: (m) => m.jointControllersHint,
  processors: (m) => m.processorsHint,
  transfers: (m) => m.transfersHint,
  securityMeasures: (m) => m.securityMeasuresHint,
  sensitiveData: (m) => m.sensitiveDataHint,
};

export default function RegisterOperation() {
  const locale = useLocale();
  const m = registerMessages[locale];
  const { operation: op, history, clients, canEdit } = useLoaderData<typeof loader>();
  const clientNames = new Map(clients.map((c) => [c.code, c.name]));
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const errors: FieldErrors = result?.errors ?? {};
  const errorFields = FIELDS.filter((f) => errors[f]);
  const at = (d: Date | string) => formatInstant(new Date(d), locale);
  const stamp = (d: Date | string) => <time dateTime={new Date(d).toISOString()}>{at(d)}</time>;
  const by = (name: string | null) => (name ? m.byWhom(name) : m.seedAuthor);
  const initial = (f: OperationField): string => {
    if (result?.values) return result.values[f] ?? "";
    const v = op[f];
    if (f === "transfers") return transfersAsText(op.transfers);
    return Array.isArray(v) ? v.join("\n") : v === null ? "" : String(v);
  };
  const done = params.get("fait");
  return (
    <>
      <p>
        <Link to="/admin/registre">{m.backToList}</Link>
      </p>
      <h1>{m.detailTitle(op.code, op.name)}</h1>
      {done && !result ? (
        <p className="flash" role="status">
          {done === "modifie" ? m.saved(op.version) : m.unchanged}
        </p>
      ) : null}
      <section className="panel" aria-labelledby="current-title">
        <h2 id="current-title">
          {m.current} — {m.version(op.version)}
        </h2>
        <p>
          {m.updatedOn} {stamp(op.updatedAt)} {by(op.updatedByName)}
        </p>
        <OperationFields op={op} m={m} clients={clientNames} />
      </section>

      <VersionHistory history={history} m={m} empty={m.noHistory} fieldLabel={(f) => m.fields[f]} stamp={stamp} by={by} render={(s) => <OperationFields op={s} m={m} clients={clientNames} />} />

      {canEdit ? (
        <section className="panel" aria-labelledby="edit-title">
          <h2 id="edit-title">{m.edit}</h2>
          <p>{m.editIntro}</p>
          {result?.conflict ? (
            <p className="error-box" role="alert">
              {m.conflict}
            </p>
          ) : null}
          {errorFields.length ? (
            <div className="error-summary" role="alert" aria-labelledby="error-summary-title">
              <h3 id="error-summary-title">{m.errorSummary}</h3>
              <ul>
                {errorFields.map((f) => (
                  <li key={f}>
                    <a href={`#${f === "role" ? "role-controller" : f}`}>
                      {m.fields[f]} : {m.errors[errors[f]!] ?? m.errors.invalid}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <Form method="post" key={`${op.version}-${result ? "posted" : "fresh"}`} noValidate>
            <input type="hidden" name="expectedVersion" value={op.version} />
            {FIELDS.map((f) => {
              const error = errors[f] ? (m.errors[errors[f]!] ?? m.errors.invalid) : undefined;
              if (f === "role") {
                const chosen = initial(f) || "controller";
                return (
                  <Fieldset key={f} legend={m.fields.role} name="role" hint={m.roleHint} error={error}>
                    {ROLES.map((r) => (
                      <div className="choice" key={r}>
                        <input type="radio" id={`role-${r}`} name="role" value={r} defaultChecked={chosen === r} />
                        <label htmlFor={`role-${r}`}>{m.roles[r]}</label>
                      </div>
                    ))}
                  </Fieldset>
                );
              }
              if (f === "controllerClient") {
                const chosen = initial(f);
                return (
                  <div key={f} className={`field${error ? " has-error" : ""}`}>
                    <label htmlFor={f}>{m.fields[f]}</label>
                    <FieldMessages name={f} hint={m.controllerClientHint} error={error} />
                    <select
                      id={f}
                      name={f}
                      defaultValue={chosen}
                      aria-invalid={error ? true : undefined}
                      aria-describedby={error ? `${f}-hint ${f}-error` : `${f}-hint`}
                    >
                      <option value="">{m.noClient}</option>
                      {clients.map((c) => (
                        <option key={c.code} value={c.code}>
                          {`${c.name} (${c.code})`}
                        </option>
                      ))}
                      {chosen && !clientNames.has(chosen.toUpperCase()) ? <option value={chosen}>{chosen}</option> : null}
                    </select>
                  </div>
                );
              }
              if (f === "retentionDays") {
                return (
                  <TextField key={f} name={f} label={m.fields[f]} hint={m.retentionDaysHint} inputMode="numeric" maxLength={6} defaultValue={initial(f)} error={error} />
                );
              }
              if (LIST_FIELDS.has(f) || LONG_FIELDS.has(f)) {
                const hint = HINTS[f]?.(m) ?? (LIST_FIELDS.has(f) ? m.listHint : undefined);
                return <TextArea key={f} name={f} label={m.fields[f]} hint={hint} required={!OPTIONAL_FIELDS.has(f)} defaultValue={initial(f)} error={error} />;
              }
              return <TextField key={f} name={f} label={m.fields[f]} required maxLength={200} defaultValue={initial(f)} error={error} />;
            })}
            <button type="submit" className="button">
              {m.save}
            </button>
          </Form>
        </section>
      ) : (
        <p className="notice">{m.readOnly}</p>
      )}
    </>
  );
}
