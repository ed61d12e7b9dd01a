import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportReportCsv } from "../services/reports.server";
import { localeFrom } from "../utils/i18n.server";
import { csvDownload, csvRefusal } from "../web/csv-download.server";
import { requireStaff } from "../web/staff-session.server";

/** Resource route: the report as a CSV file. Errors are plain-text responses, as there is no page to render. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  const url = new URL(request.url);
  try {
    const period = { from: url.searchParams.get("from") ?? undefined, to: url.searchParams.get("to") ?? undefined };
    const { csv, filename } = await exportReportCsv({ ctx, ...period, locale: localeFrom(request) });
    return csvDownload(csv, filename);
  } catch (error) {
    return csvRefusal(error);
  }
}
