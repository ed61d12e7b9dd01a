/**
 * Every kind of timeline event, in one list, so that each has a label in
 * both languages (the catalogues are typed on these lists: a new event
 * without its words does not compile). The requester's status page shows
 * the public ones; staff see all of them.
 */
export const PUBLIC_EVENTS = [
  "filed",
  "recorded",
  "verification_sent",
  "verification_reminded",
  "verified",
  "contact_verified",
  "acknowledged",
  "clock_paused",
  "clock_resumed",
  "mandate_accepted",
  "mandate_rejected",
  "subject_verified",
  "started",
  "gather_started",
  "info_requested",
  "info_reminded",
  "requester_replied",
  "closed_no_reply",
  "extended",
  "refused",
  "archive_released",
  "archive_expired",
  "archive_withdrawn",
  "erasure_executed",
  "erasure_verified",
  "rectification_applied",
  "restriction_applied",
  "restriction_lift_notice",
  "restriction_lift_stopped",
  "restriction_lifted",
  "objection_recorded",
  "objection_confirmed",
  "answered_no_data",
  "controller_referred",
  "controller_instructed",
  "letter_posted",
  "ready",
  "completed",
  "cancelled",
  "duplicate",
  "expired",
] as const;

export const STAFF_EVENTS = [
  "assigned",
  "restriction_lift_ran",
  "restriction_hand_applied",
  "restriction_hand_lifted",
  "note_added",
  "gather_connector_done",
  "gather_connector_skipped",
  "gather_connector_failed",
  "gather_connector_waived",
  "identifier_confirmed",
  "identifier_rejected",
  "subject_link_sent",
  "erasure_planned",
  "erasure_approved",
  "erasure_verification_failed",
  "certificate_unreachable",
  "rectification_prepared",
  "rectification_failed",
  "letter_to_post",
  "date_reading_chosen",
  "identity_purged",
  "controller_acknowledged",
  "controller_reminded",
] as const;

export type PublicEvent = (typeof PUBLIC_EVENTS)[number];
export type EventType = PublicEvent | (typeof STAFF_EVENTS)[number];

export function isPublicEvent(type: string): type is PublicEvent {
  return (PUBLIC_EVENTS as readonly string[]).includes(type);
}
