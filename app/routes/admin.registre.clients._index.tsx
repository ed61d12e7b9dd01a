import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { useLocale } from "../components/i18n";
import { ClientForm, ClientFormFields, ErrorSummary, CLIENT_FORM_FIELDS, type ClientFormField } from "../components/register-fields";
import { formatInstant } from "../i18n";
import { registerMessages } from "../i18n/admin/register";
import { DomainError, httpStatusOf } from "../services/errors";
import { createClient, listClients, type ClientFieldErrors } from "../services/register-clients.server";
import { formData } from "../web/form.server";
import { requireStaff, rethrowDomain } from "../web/staff-session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  try {
    return await listClients(ctx);
  } catch (error) {
    rethrowDomain(error);
  }
}

const NewClientForm = ClientForm.extend({ code: z.string().max(20_000).catch("") });

export async function action({ request }: ActionFunctionArgs) {
  const { ctx } = await requireStaff(request);
  const values = NewClientForm.parse(Object.fromEntries(await formData(request)));
  try {
    const created = await createClient({ ctx, input: values });
    return redirect(`/admin/registre/clients/${created.code}?fait=cree`);
  } catch (error) {
    if (error instanceof DomainError && error.code === "invalid_input") {
      return data({ errors: (error.detail.fields ?? {}) as ClientFieldErrors, values }, { status: httpStatusOf(error.code) });
    }
    rethrowDomain(error);
  }
}

export default function RegisterClients() {
  const locale = useLocale();
  const m = registerMessages[locale];
  const c = m.clients;
  const { clients, canEdit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: ClientFieldErrors = result?.errors ?? {};
  const errorFields = (["code", ...CLIENT_FORM_FIELDS] as const).filter((f) => errors[f]);
  return (
    <>
      <p>
        <Link to="/admin/registre">{c.backToRegister}</Link>
      </p>
      <h1>{c.title}</h1>
      <p>{c.intro}</p>
      <p>
        <a href="/admin/registre/clients.csv" download>
          {m.links.exportClients}
        </a>
      </p>
      {clients.length === 0 ? (
        <p className="notice">{c.empty}</p>
      ) : (
        <table>
          <caption className="visually-hidden">{c.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{c.columns.code}</th>
              <th scope="col">{c.columns.name}</th>
              <th scope="col">{c.columns.contact}</th>
              <th scope="col">{c.columns.processor}</th>
              <th scope="col">{c.columns.updated}</th>
            </tr>
          </thead>
          <tbody>
            {clients.map((cl) => (
              <tr key={cl.code} data-client={cl.code}>
                <th scope="row">
                  <Link to={`/admin/registre/clients/${cl.code}`}>{cl.code}</Link>
                </th>
                <td>
                  <Link to={`/admin/registre/clients/${cl.code}`}>{cl.name}</Link>
                </td>
                <td>{cl.contactEmail}</td>
                <td data-processor={cl.processorRecord ? "yes" : "no"}>{cl.processorRecord ? c.processorYes(cl.operations.join(", ")) : c.processorNo}</td>
                <td>
                  <time dateTime={new Date(cl.updatedAt).toISOString()}>{formatInstant(new Date(cl.updatedAt), locale)}</time>
                  <br />
                  {m.version(cl.version)} · {cl.updatedByName ? m.byWhom(cl.updatedByName) : m.seedAuthor}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {canEdit ? (
        <section className="panel" aria-labelledby="create-title">
          <h2 id="create-title">{c.create}</h2>
          <p>{c.createIntro}</p>
          <ErrorSummary
            title={m.errorSummary}
            fields={errorFields}
            label={(f) => c.fields[f] ?? f}
            message={(f) => m.errors[errors[f as ClientFormField]!] ?? m.errors.invalid!}
          />
          <Form method="post" key={result ? "posted" : "fresh"} noValidate>
            <ClientFormFields m={m} values={result?.values ?? {}} errors={errors} withCode />
            <button type="submit" className="button">
              {c.createSubmit}
            </button>
          </Form>
        </section>
      ) : (
        <p className="notice">{c.readOnly}</p>
      )}
    </>
  );
}
