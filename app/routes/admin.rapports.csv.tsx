import type { LoaderFunctionArgs } from "@remix-run/node";
import { DomainError } from "../services/errors";
import { exportReportCsv } from "../services/reports.server";
import { localeFrom } from "../utils/i18n.server";
import { requireStaff } from "../utils/staff-session.server";

/** Resource route: the report as a CSV file. Errors are plain-text responses, as there is no page to render. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = requireStaff(request);
  const url = new URL(request.url);
  try {
    const period = { from: url.searchParams.get("from") ?? undefined, to: url.searchParams.get("to") ?? undefined };
    const { csv, filename } = exportReportCsv({ ctx, ...period, locale: localeFrom(request) });
    return new Response(csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${filename}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const status = error.code === "forbidden" ? 403 : error.code === "invalid_input" ? 400 : 409;
    return new Response(status === 403 ? "Forbidden\n" : "Bad request\n", { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
  }
}
