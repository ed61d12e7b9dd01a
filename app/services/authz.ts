import type { Role, Site } from "../../db/schema/enums";
import type { Actor, StaffActor } from "./context";
import { DomainError } from "./errors";

/**
 * Authorisation lives in the services: a route that forgets a check still
 * cannot let a support user refuse a request or an agent read another site.
 */
export function requireStaff(actor: Actor): StaffActor {
  if (actor.kind !== "staff") throw new DomainError("forbidden", { need: "staff" });
  return actor;
}

export function requireRole(actor: Actor, ...roles: Role[]): StaffActor {
  const s = requireStaff(actor);
  if (!roles.includes(s.role)) throw new DomainError("forbidden", { need: roles });
  return s;
}

/** Agents see only their own site's tickets; everyone else sees all. */
export function canSeeTicket(actor: StaffActor, ticket: { site: Site | null }): boolean {
  return actor.role !== "agent" || ticket.site === actor.site;
}

export function requireTicketAccess(actor: Actor, ticket: { site: Site | null }): StaffActor {
  const s = requireStaff(actor);
  // Same answer as a missing ticket: a guessed reference from another site reveals nothing.
  if (!canSeeTicket(s, ticket)) throw new DomainError("not_found");
  return s;
}

/**
 * Who may read the requester's identity on a ticket page: the people who
 * handle requests. Administrators manage accounts and settings; they have no
 * need to know who asked (least privilege).
 */
export function canSeeIdentity(actor: StaffActor): boolean {
  return actor.role === "dpo" || actor.role === "support" || actor.role === "agent";
}
