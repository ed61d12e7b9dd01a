import type { LoaderFunctionArgs } from "@remix-run/node";
import { useAdminT } from "../components/admin-i18n";
import { useLoaderData } from "@remix-run/react";
import { useLocale } from "../components/i18n";
import { formatDuration } from "../i18n/format";
import { connectorHealth } from "../services/connector-health.server";
import { scrub } from "../utils/log.server";
import { connectors } from "../utils/connectors.server";
import { requireStaff, rethrowDomain } from "../web/staff-session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  try {
    const rows = await connectorHealth({ ctx, registry: connectors() });
    return { rows: rows.map((r) => ({ ...r, detail: r.detail ? scrub(r.detail) : null })) };
  } catch (error) {
    rethrowDomain(error);
  }
}

export default function Connectors() {
  const adminT = useAdminT();
  const m = adminT.connectors;
  const locale = useLocale();
  const { rows } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>{m.title}</h1>
      <p>{m.intro}</p>
      {rows.length === 0 ? (
        <p>{m.none}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{m.label}</th>
              <th scope="col">{m.id}</th>
              <th scope="col">{m.kind}</th>
              <th scope="col">{m.health}</th>
              <th scope="col">{m.latency}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-health={r.ok ? "ok" : "down"}>
                <th scope="row">{r.label}</th>
                <td>
                  <code>{r.id}</code>
                </td>
                <td>{m.kinds[r.kind] ?? r.kind}</td>
                <td>
                  <span className={`badge ${r.ok ? "ok" : "overdue"}`}>{r.ok ? m.ok : m.down}</span>
                  {r.detail ? ` — ${r.detail}` : ""}
                </td>
                <td>{formatDuration(locale, r.latencyMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
