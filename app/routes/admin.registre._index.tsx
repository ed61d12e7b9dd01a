import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale } from "../components/i18n";
import { formatInstant } from "../i18n";
import { registerMessages } from "../i18n/admin/register";
import { listOperations } from "../services/register.server";
import { requireStaff, rethrowDomain } from "../utils/staff-session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = requireStaff(request);
  try {
    return { operations: listOperations(ctx) };
  } catch (error) {
    rethrowDomain(error);
  }
}

export default function Register() {
  const locale = useLocale();
  const m = registerMessages[locale];
  const { operations } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>{m.title}</h1>
      <p>{m.intro}</p>
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
