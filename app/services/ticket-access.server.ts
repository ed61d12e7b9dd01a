import { eq } from "drizzle-orm";
import type { Role, Status } from "../../db/schema/enums";
import { requests, type RequestRow } from "../../db/schema/requests";
import type { DbOrTx } from "../utils/db.server";
import { requireRole, requireStaff, requireTicketAccess } from "./authz";
import type { Actor } from "./context";
import { DomainError } from "./errors";
import { forUpdate } from "../utils/db.server";

export type TicketAccess = {
  /**
   * Roles that may act, checked after the site scope so that another site's
   * ticket answers as a missing one (404) before any 403. Most verbs check
   * their role before opening the transaction and leave this out.
   */
  roles?: readonly Role[];
  /** The operator CLI runs as the system, trusted with the shell: no staff checks. */
  system?: boolean;
  /** The statuses the verb works in; any other is an illegal transition towards `to`. */
  statuses?: { in: readonly Status[]; to: string };
  /**
   * "required": a representative's request only (the mandate's own verbs);
   * "accepted": a representative's request only once its mandate was
   * reviewed and accepted (CNIL 2021-070), anyone else's as it is.
   */
  mandate?: "required" | "accepted";
};

/**
 * Every verb and every read finds its ticket here: by reference, for a staff
 * member who may see it (agents only their own site's tickets; another
 * site's answers as a missing one does, 404), then the verb's own role and
 * status conditions.
 */
export async function loadTicket(tx: DbOrTx, actor: Actor, reference: string, opts: TicketAccess = {}): Promise<RequestRow> {
  const me = opts.system && actor.kind === "system" ? null : requireStaff(actor);
  // Locked until the transaction ends (PostgreSQL): the verb that follows decides on the status read here.
  const [r] = await forUpdate(tx, tx.select().from(requests).where(eq(requests.reference, reference)).limit(1));
  if (!r) throw new DomainError("not_found");
  if (me) {
    requireTicketAccess(me, r);
    if (opts.roles) requireRole(me, ...opts.roles);
  }
  if (opts.statuses && !opts.statuses.in.includes(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: opts.statuses.to });
  if (opts.mandate === "required" && !r.onBehalf) throw new DomainError("illegal_transition", { code: "no_mandate" });
  if (opts.mandate === "accepted" && r.onBehalf && r.mandateStatus !== "accepted") throw new DomainError("illegal_transition", { code: "mandate_not_accepted" });
  return r;
}
