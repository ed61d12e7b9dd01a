import { and, gte, inArray, lt, lte, type SQL } from "drizzle-orm";
import type { Status } from "../../db/schema/enums";
import { requests } from "../../db/schema/requests";
import { addDays, type LocalDate } from "./deadlines";

/**
 * One meaning of "overdue", "due soon" and "paused", for every page and
 * message that says it (the queue's counters, filter and badges, the daily
 * digest, the reports page). Two forms that must agree: `dueState` for one
 * ticket already read, `dueWhere` for SQL counting or filtering many.
 *
 * - paused: the clock is stopped while the controller waits for the person
 *   (identity not yet proven, or a question unanswered: Recital 63, Décret
 *   2019-536 art. 77). A paused ticket is never overdue, whatever its date.
 * - overdue: the clock runs and the effective due date is before today (Paris).
 * - soon: the clock runs and the due date is today or within the next 7 days.
 */
export const DUE_STATES = ["overdue", "soon", "paused"] as const;
export type DueState = (typeof DUE_STATES)[number];

export const PAUSED_STATUSES: readonly Status[] = ["awaiting_verification", "awaiting_requester"];
/** Open with the clock running. */
export const RUNNING_STATUSES: readonly Status[] = ["received", "in_progress", "ready"];
export const SOON_DAYS = 7;

export function dueState(status: Status, dueOn: LocalDate | null, today: LocalDate): DueState | null {
  if (PAUSED_STATUSES.includes(status)) return "paused";
  if (!RUNNING_STATUSES.includes(status) || !dueOn) return null;
  if (dueOn < today) return "overdue";
  if (dueOn <= addDays(today, SOON_DAYS)) return "soon";
  return null;
}

/** The same decision as `dueState`, as a WHERE condition on `requests` (served by the (status, effective_due_on) index). */
export function dueWhere(state: DueState, today: LocalDate): SQL {
  const running = inArray(requests.status, [...RUNNING_STATUSES]);
  switch (state) {
    case "paused":
      return inArray(requests.status, [...PAUSED_STATUSES]);
    case "overdue":
      return and(running, lt(requests.effectiveDueOn, today))!;
    case "soon":
      return and(running, gte(requests.effectiveDueOn, today), lte(requests.effectiveDueOn, addDays(today, SOON_DAYS)))!;
  }
}
