import type { LoaderFunctionArgs } from "@remix-run/node";
import { DomainError, httpStatusOf } from "../services/errors";
import { mandateFile } from "../services/mandates.server";
import { documentNotFound } from "../utils/documents";
import { requireStaff } from "../web/staff-session.server";

/**
 * The representative's mandate, for the staff member reviewing it; each
 * download is audited. A file someone outside sent us: always a download,
 * never shown in our origin (a PDF viewer or an image decoder is then the
 * browser's, sandboxed, not a page of the back office), even though the
 * upload already refused polyglots and active PDFs (docs/security.md).
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  try {
    const file = await mandateFile({ ctx, reference: params.reference ?? "" });
    const ext = file.mimeType === "application/pdf" ? "pdf" : file.mimeType === "image/png" ? "png" : "jpg";
    return new Response(new Uint8Array(file.bytes), {
      headers: {
        "Content-Type": file.mimeType,
        "Content-Disposition": `attachment; filename="mandat-${file.reference}.${ext}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox; frame-ancestors 'none'",
      },
    });
  } catch (error) {
    if (error instanceof DomainError && (error.code === "not_found" || error.code === "illegal_transition")) return documentNotFound();
    if (error instanceof DomainError && error.code === "forbidden") return documentNotFound(httpStatusOf(error.code));
    throw error;
  }
}
