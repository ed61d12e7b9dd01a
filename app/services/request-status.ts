import type { Status } from "../../db/schema/enums";
import { DomainError } from "./errors";

/**
 * The one state machine of a request (DESIGN.md). Anything not listed here is
 * refused loudly: an illegal transition is a bug or a race, never a no-op.
 */
const TRANSITIONS: Record<Status, readonly Status[]> = {
  awaiting_verification: ["received", "expired_unverified", "cancelled"],
  received: ["in_progress", "awaiting_requester", "refused", "cancelled", "duplicate"],
  in_progress: ["awaiting_requester", "ready", "refused", "cancelled", "duplicate"],
  awaiting_requester: ["in_progress", "refused", "cancelled"],
  ready: ["completed", "in_progress"],
  completed: [],
  refused: [],
  cancelled: [],
  duplicate: [],
  expired_unverified: [],
};

export function canTransition(from: Status, to: Status): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: Status, to: Status): void {
  if (!canTransition(from, to)) throw new DomainError("illegal_transition", { from, to });
}

export function isClosed(status: Status): boolean {
  return TRANSITIONS[status].length === 0;
}
