import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale } from "../components/i18n";
import { formatInstant } from "../i18n";
import { registerMessages } from "../i18n/admin/register";
import { registerOverview, type RegisterHeader } from "../services/register.server";
import type { RegisterMessages } from "../i18n/admin/register";
import { Lines } from "../components/register-fields";
import { requireStaff, rethrowDomain } from "../web/staff-session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  try {
    return await registerOverview(ctx);
  } catch (error) {
    rethrowDomain(error);
  }
}

export default function Register() {
  const locale = useLocale();
  const m = registerMessages[locale];
  const { operations, header } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>{m.title}</h1>
      <p>{m.intro}</p>
      <Art30Header header={header} m={m} />
      <nav aria-labelledby="register-links-title" className="panel">
        <h2 id="register-links-title">{m.links.exportTitle}</h2>
        <p>{m.links.exportHint}</p>
        <ul>
          <li>
            <a href="/admin/registre.csv" download>
              {m.links.exportOperations}
            </a>
          </li>
          <li>
            <a href="/admin/registre/clients.csv" download>
              {m.links.exportClients}
            </a>
          </li>
          <li>
            <Link to="/admin/registre/clients">{m.links.clients}</Link>
          </li>
        </ul>
      </nav>
      {operations.length === 0 ? (
        <p className="notice">{m.empty}</p>
      ) : (
        <table>
          <caption className="visually-hidden">{m.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{m.columns.code}</th>
              <th scope="col">{m.columns.name}</th>
              <th scope="col">{m.columns.purpose}</th>
              <th scope="col">{m.columns.role}</th>
              <th scope="col">{m.columns.legalBasis}</th>
              <th scope="col">{m.columns.retention}</th>
              <th scope="col">{m.columns.updated}</th>
            </tr>
          </thead>
          <tbody>
            {operations.map((op) => (
              <tr key={op.code} data-code={op.code}>
                <th scope="row">
                  <Link to={`/admin/registre/${op.code}`}>{op.code}</Link>
                </th>
                <td>
                  <Link to={`/admin/registre/${op.code}`}>{op.name}</Link>
                </td>
                <td>{op.purpose}</td>
                <td data-role={op.role}>
                  {op.role === "processor" && op.controllerClient ? (
                    <Link to={`/admin/registre/clients/${op.controllerClient}`}>{m.processorFor(op.controllerClientName ?? op.controllerClient)}</Link>
                  ) : (
                    (m.roles[op.role] ?? op.role)
                  )}
                </td>
                <td>{op.legalBasis}</td>
                <td>
                  {op.retentionDays !== null ? (
                    <>
                      <strong>{m.days(op.retentionDays)}</strong>
                      <br />
                    </>
                  ) : null}
                  {op.retention}
                </td>
                <td>
                  <time dateTime={new Date(op.updatedAt).toISOString()}>{formatInstant(new Date(op.updatedAt), locale)}</time>
                  <br />
                  {m.version(op.version)} · {op.updatedByName ? m.byWhom(op.updatedByName) : m.seedAuthor}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** Art. 30(1)(a): the controller, its representative and its DPO, as organisation.config.json states them. */
function Art30Header({ header, m }: { header: RegisterHeader; m: RegisterMessages }) {
  const { controller, dpo } = header;
  return (
    <section className="panel" aria-labelledby="art30-header-title">
      <h2 id="art30-header-title">{m.header.title}</h2>
      <p className="hint">{m.header.intro}</p>
      <dl className="summary">
        <dt>{m.header.controller}</dt>
        <dd data-fact="controller">
          <strong>{controller.name}</strong>
          {`, ${controller.legalForm}, ${controller.registration}`}
          <br />
          {m.header.representedBy(controller.representative)}
          <br />
          <Lines text={controller.address} />
          <br />
          {m.header.phone} {controller.phone}
          <br />
          {m.header.email} <a href={`mailto:${controller.email}`}>{controller.email}</a>
        </dd>
        <dt>{m.header.euRepresentative}</dt>
        <dd data-fact="eu-representative">{controller.euRepresentative ?? m.header.noEuRepresentative}</dd>
        <dt>{m.header.dpo}</dt>
        <dd data-fact="dpo">
          {dpo.name}
          <br />
          <Lines text={dpo.address} />
          <br />
          {m.header.email} <a href={`mailto:${dpo.email}`}>{dpo.email}</a>
        </dd>
      </dl>
    </section>
  );
}
