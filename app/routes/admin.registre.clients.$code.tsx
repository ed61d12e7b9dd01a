import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { useLocale } from "../components/i18n";
import { ClientForm, ClientFormFields, CLIENT_FORM_FIELDS, ErrorSummary, Items, Lines, Transfers, transfersAsText, type ClientFormField, VersionHistory } from "../components/register-fields";
import { formatInstant } from "../i18n";
import { registerMessages, type RegisterMessages } from "../i18n/admin/register";
import { DomainError, httpStatusOf } from "../services/errors";
import { getClient, updateClient, type ClientEditable, type ClientFieldErrors } from "../services/register-clients.server";
import { formData } from "../web/form.server";
import { requireStaff, rethrowDomain } from "../web/staff-session.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  try {
    return await getClient(ctx, params.code ?? "");
  } catch (error) {
    rethrowDomain(error);
  }
}

const EditClientForm = ClientForm.extend({ expectedVersion: z.coerce.number().int().positive().optional().catch(undefined) });

export async function action({ request, params }: ActionFunctionArgs) {
  const { ctx } = await requireStaff(request);
  const { expectedVersion, ...values } = EditClientForm.parse(Object.fromEntries(await formData(request)));
  try {
    const saved = await updateClient({ ctx, code: params.code ?? "", input: values, expectedVersion });
    return redirect(`/admin/registre/clients/${saved.code}?fait=${saved.changed.length ? "modifie" : "inchange"}`);
  } catch (error) {
    if (error instanceof DomainError && error.code === "invalid_input") {
      return data({ errors: (error.detail.fields ?? {}) as ClientFieldErrors, conflict: false, values }, { status: httpStatusOf(error.code) });
    }
    if (error instanceof DomainError && error.code === "conflict") {
      return data({ errors: {} as ClientFieldErrors, conflict: true, values }, { status: httpStatusOf(error.code) });
    }
    rethrowDomain(error);
  }
}

function ClientFields({ client, m }: { client: ClientEditable; m: RegisterMessages }) {
  const f = m.clients.fields;
  return (
    <dl className="summary">
      <dt>{f.name}</dt>
      <dd>{client.name}</dd>
      <dt>{f.aliases}</dt>
      <dd data-field="aliases">
        <Items items={client.aliases} />
      </dd>
      <dt>{f.contactEmail}</dt>
      <dd>{client.contactEmail}</dd>
      <dt>{f.address}</dt>
      <dd>
        <Lines text={client.address} />
      </dd>
      <dt>{f.dpoContact}</dt>
      <dd>{client.dpoContact}</dd>
      <dt>{f.processingCategories}</dt>
      <dd data-field="processingCategories">
        <Items items={client.processingCategories} empty={m.noneListed} />
      </dd>
      <dt>{f.transfers}</dt>
      <dd data-field="transfers">
        <Transfers transfers={client.transfers} m={m} />
      </dd>
      <dt>{f.securityMeasures}</dt>
      <dd data-field="securityMeasures">
        <Items items={client.securityMeasures} empty={m.noneListed} />
      </dd>
    </dl>
  );
}

export default function RegisterClient() {
  const locale = useLocale();
  const m = registerMessages[locale];
  const c = m.clients;
  const { client, history, operations, processorRecord, canEdit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const errors: ClientFieldErrors = result?.errors ?? {};
  const errorFields = CLIENT_FORM_FIELDS.filter((f) => errors[f]);
  const stamp = (d: Date | string) => <time dateTime={new Date(d).toISOString()}>{formatInstant(new Date(d), locale)}</time>;
  const by = (name: string | null) => (name ? m.byWhom(name) : m.seedAuthor);
  const values: Partial<Record<ClientFormField, string>> = result?.values ?? {
    name: client.name,
    aliases: client.aliases.join("\n"),
    contactEmail: client.contactEmail,
    address: client.address,
    dpoContact: client.dpoContact,
    processingCategories: client.processingCategories.join("\n"),
    transfers: transfersAsText(client.transfers),
    securityMeasures: client.securityMeasures.join("\n"),
  };
  const done = params.get("fait");
  return (
    <>
      <p>
        <Link to="/admin/registre/clients">{c.backToList}</Link>
      </p>
      <h1>{c.title1(client.code, client.name)}</h1>
      {done && !result ? (
        <p className="flash" role="status">
          {done === "cree" ? c.created(client.code) : done === "modifie" ? c.saved(client.version) : m.unchanged}
        </p>
      ) : null}

      <section className="panel" aria-labelledby="record-title" data-record={processorRecord ? "art30-2" : "none"}>
        <h2 id="record-title">{c.record}</h2>
        {processorRecord ? (
          <dl className="summary">
            <dt>{c.recordProcessor}</dt>
            <dd data-party="processor">
              <strong>{processorRecord.processor.name}</strong>
              <br />
              {m.header.representedBy(processorRecord.processor.representative)}
              <br />
              <Lines text={processorRecord.processor.address} />
              <br />
              {m.header.phone} {processorRecord.processor.phone}
              <br />
              {m.header.email} {processorRecord.processor.email}
            </dd>
            <dt>{c.dpoOf(processorRecord.processor.name)}</dt>
            <dd data-party="processor-dpo">
              {processorRecord.processor.dpo.name}
              <br />
              <Lines text={processorRecord.processor.dpo.address} />
              <br />
              {m.header.email} {processorRecord.processor.dpo.email}
            </dd>
            <dt>{c.recordController}</dt>
            <dd data-party="controller">
              <strong>{client.name}</strong>
              <br />
              <Lines text={client.address} />
              <br />
              {m.header.email} {client.contactEmail}
            </dd>
            <dt>{c.dpoOf(client.name)}</dt>
            <dd data-party="controller-dpo">{client.dpoContact}</dd>
            <dt>{c.recordCategories}</dt>
            <dd data-field="record-categories">
              <Items items={processorRecord.categories} empty={m.noneListed} />
            </dd>
            <dt>{c.recordOperations}</dt>
            <dd data-field="record-operations">
              {operations.length ? (
                <ul>
                  {operations.map((o) => (
                    <li key={o.code}>
                      <Link to={`/admin/registre/${o.code}`}>
                        {o.code} — {o.name}
                      </Link>
                    </li>
                  ))}
                </ul>
              ) : (
                m.noneListed
              )}
            </dd>
            <dt>{c.recordTransfers}</dt>
            <dd data-field="record-transfers">
              <Transfers transfers={processorRecord.transfers} m={m} />
            </dd>
            <dt>{c.recordSecurity}</dt>
            <dd data-field="record-security">
              <Items items={processorRecord.securityMeasures} empty={m.noneListed} />
            </dd>
          </dl>
        ) : (
          <p>{c.notProcessor}</p>
        )}
      </section>

      <section className="panel" aria-labelledby="current-title">
        <h2 id="current-title">
          {c.current} — {m.version(client.version)}
        </h2>
        <p>
          {m.updatedOn} {stamp(client.updatedAt)} {by(client.updatedByName)}
        </p>
        <ClientFields client={client} m={m} />
      </section>

      <VersionHistory history={history} m={m} empty={c.noHistory} fieldLabel={(f) => c.fields[f] ?? f} stamp={stamp} by={by} render={(s) => <ClientFields client={s} m={m} />} />

      {canEdit ? (
        <section className="panel" aria-labelledby="edit-title">
          <h2 id="edit-title">{c.edit}</h2>
          <p>{m.editIntro}</p>
          {result?.conflict ? (
            <p className="error-box" role="alert">
              {c.conflict}
            </p>
          ) : null}
          <ErrorSummary
            title={m.errorSummary}
            fields={errorFields}
            label={(f) => c.fields[f] ?? f}
            message={(f) => m.errors[errors[f as ClientFormField]!] ?? m.errors.invalid!}
          />
          <Form method="post" key={`${client.version}-${result ? "posted" : "fresh"}`} noValidate>
            <input type="hidden" name="expectedVersion" value={client.version} />
            <ClientFormFields m={m} values={values} errors={errors} withCode={false} />
            <button type="submit" className="button">
              {m.save}
            </button>
          </Form>
        </section>
      ) : (
        <p className="notice">{c.readOnly}</p>
      )}
    </>
  );
}
