import type { LoaderFunctionArgs } from "@remix-run/node";
import { DomainError } from "../services/errors";
import { exportRegisterCsv } from "../services/register-export.server";
import { localeFrom } from "../utils/i18n.server";
import { requireStaff } from "../utils/staff-session.server";

/** Resource route /admin/registre.csv: the Art. 30(1) record as a CSV file (semicolons, UTF-8 with BOM). Errors are plain text: there is no page to render. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx } = requireStaff(request);
  try {
    const { csv, filename } = exportRegisterCsv({ ctx, locale: localeFrom(request) });
    return new Response(csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${filename}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (error) {
    if (error instanceof DomainError && error.code === "forbidden") {
      return new Response("Forbidden\n", { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
    }
    throw error;
  }
}
