import type { LoaderFunctionArgs } from "@remix-run/node";
import { DomainError, httpStatusOf } from "../services/errors";
import { letterForStaff } from "../services/letters.server";
import { documentNotFound, documentResponse } from "../utils/documents";
import { requireStaff } from "../web/staff-session.server";

/** A letter as the person received it (or will, by post): to read and print. Each opening is audited. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  try {
    const letter = await letterForStaff({ ctx, reference: params.reference ?? "", letterId: Number(params.id) || 0 });
    return documentResponse(letter.html);
  } catch (error) {
    if (error instanceof DomainError && (error.code === "not_found" || error.code === "forbidden")) return documentNotFound(httpStatusOf(error.code));
    throw error;
  }
}
