import { DomainError } from "../services/errors";

/**
 * A CSV file for the browser to save (the report, the register, the audit
 * journal): never cached, never sniffed as something else. A `DomainError`
 * from building it becomes a plain-text answer (there is no page to render):
 * 403 when forbidden, 400 for bad input, 409 otherwise.
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
  const status = error.code === "forbidden" ? 403 : error.code === "invalid_input" ? 400 : 409;
  return new Response(status === 403 ? "Forbidden\n" : "Bad request\n", { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}
