import { DomainError, httpStatusOf } from "../services/errors";

/**
 * A CSV file for the browser to save (the report, the register, the audit
 * journal): never cached, never sniffed as something else. A `DomainError`
 * from building it becomes a plain-text answer (there is no page to render)
 * with the code's one status.
 */
export function csvDownload(body: BodyInit, filename: string): Response {
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

export function csvRefusal(error: unknown): Response {
  if (!(error instanceof DomainError)) throw error;
  const status = httpStatusOf(error.code);
  return new Response(status === 403 ? "Forbidden\n" : "Bad request\n", { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}
