import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportClientsCsv } from "../services/register-export.server";
import { localeFrom } from "../utils/i18n.server";
import { csvDownload, csvRefusal } from "../web/csv-download.server";
import { requireStaff } from "../web/staff-session.server";

/** Resource route /admin/registre/clients.csv: the Art. 30(2) record as a CSV file (semicolons, UTF-8 with BOM). Errors are plain text: there is no page to render. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  try {
    const { csv, filename } = await exportClientsCsv({ ctx, locale: localeFrom(request) });
    return csvDownload(csv, filename);
  } catch (error) {
    return csvRefusal(error);
  }
}
