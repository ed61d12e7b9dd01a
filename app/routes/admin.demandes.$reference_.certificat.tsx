import type { LoaderFunctionArgs } from "@remix-run/node";
import { DomainError } from "../services/errors";
import { certificateFor } from "../services/erasure.server";
import * as tickets from "../services/tickets.server";
import { db } from "../utils/db.server";
import { documentNotFound, documentResponse } from "../utils/documents";
import { requireStaff } from "../web/staff-session.server";

/** The certificate as sent to the requester, for staff who can see the ticket. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx } = await requireStaff(request);
  try {
    const view = await tickets.ticketView({ ctx, reference: params.reference ?? "" });
    const cert = await certificateFor(db(), view.id);
    if (!cert) throw new DomainError("not_found", { what: "certificate" });
    return documentResponse(cert.html);
  } catch (error) {
    if (error instanceof DomainError && error.code === "not_found") return documentNotFound();
    throw error;
  }
}
