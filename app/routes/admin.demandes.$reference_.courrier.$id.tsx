import type { LoaderFunctionArgs } from "@remix-run/node";
import { DomainError } from "../services/errors";
import { letterForStaff } from "../services/letters.server";
import { requireStaff } from "../utils/staff-session.server";

/** A letter as the person received it (or will, by post): to read and print. Each opening is audited. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx } = requireStaff(request);
  try {
    const letter = letterForStaff({ ctx, reference: params.reference ?? "", letterId: Number(params.id) || 0 });
    return new Response(letter.html, {
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      },
    });
  } catch (error) {
    if (error instanceof DomainError && error.code === "not_found") return new Response("Not found", { status: 404, headers: { "Cache-Control": "no-store" } });
    if (error instanceof DomainError && error.code === "forbidden") return new Response("Forbidden", { status: 403, headers: { "Cache-Control": "no-store" } });
    throw error;
  }
}
