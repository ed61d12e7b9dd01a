/** Plain constants, importable by browser code without pulling in drizzle. */
export const RIGHTS = ["access", "rectification", "erasure", "portability", "restriction", "objection"] as const;
export type Right = (typeof RIGHTS)[number];

export const CHANNELS = ["web", "phone", "email", "mail", "in_person"] as const;
export type Channel = (typeof CHANNELS)[number];

export const SITES = ["lille", "paris", "tours", "bordeaux", "toulouse"] as const;
export type Site = (typeof SITES)[number];

export const STATUSES = [
  "awaiting_verification",
  "received",
  "in_progress",
  "awaiting_requester",
  "ready",
  "completed",
  "refused",
  "cancelled",
  "duplicate",
  "expired_unverified",
] as const;
export type Status = (typeof STATUSES)[number];

export const LOCALES = ["fr", "en"] as const;
export type Locale = (typeof LOCALES)[number];


export const ROLES = ["admin", "dpo", "support", "agent"] as const;
export type Role = (typeof ROLES)[number];

export const HOLIDAY_PROFILES = ["metropolitan", "alsace-moselle"] as const;
export type HolidayProfileName = (typeof HOLIDAY_PROFILES)[number];

/** Grounds for refusing a request (GDPR Art. 12(5), 11(2), 12(6)). */
export const REFUSAL_REASONS = ["manifestly_unfounded", "excessive", "identity_not_established", "outside_scope", "mandate_invalid"] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** How identity was established (ADR 0011). "agent": a code sent to the contact and read back to an agent. */
export const VERIFICATION_METHODS = ["email", "sms", "agent", "document", "callback", "postal"] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

/** How a closed request ended, where the status does not say it all. */
export const OUTCOMES = ["no_data", "no_reply"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** How an agent checks identity for a request received by phone, post, email or in person (ADR 0011). */
export const AGENT_VERIFICATIONS = ["code_sms", "code_email", "callback", "document", "postal_code"] as const;
export type AgentVerification = (typeof AGENT_VERIFICATIONS)[number];

/** The closed list of things the audit trail records (app/services/audit.server.ts validates against it). */
export const AUDIT_ACTIONS = [
  "ticket.filed",
  "ticket.verified",
  "ticket.expired",
  "ticket.recorded",
  "ticket.code_sent",
  "ticket.viewed",
  "ticket.identity_viewed",
  "ticket.assigned",
  "ticket.started",
  "ticket.info_requested",
  "ticket.requester_replied",
  "ticket.extended",
  "ticket.refused",
  "ticket.duplicate",
  "ticket.cancelled",
  "ticket.ready",
  "ticket.completed",
  "ticket.note_added",
  "staff.created",
  "staff.login",
  "staff.login_failed",
  "staff.logout",
  "staff.password_changed",
  "staff.totp_enabled",
  "staff.totp_changed",
  "staff.totp_disabled",
  "staff.deactivated",
  "settings.updated",
  "register.updated",
  "register.client_updated",
  "register.exported",
  "gather.started",
  "gather.connector_rerun",
  "gather.completed",
  "gather.failed",
  "record.viewed",
  "record.date_read",
  "archive.built",
  "archive.downloaded",
  "archive.released",
  "report.exported",
  "reminders.sent",
  "audit.viewed",
  "audit.exported",
  "erasure.planned",
  "erasure.approved",
  "erasure.cancelled",
  "erasure.step.executed",
  "erasure.step.failed",
  "erasure.executed",
  "erasure.verified",
  "erasure.verification_failed",
  "erasure.certified",
  "erasure.copies_purged",
  "recipient.notified",
  "recipient.acknowledged",
  "rectification.prepared",
  "rectification.approved",
  "rectification.applied",
  "rectification.failed",
  "restriction.applied",
  "restriction.lifted",
  "restriction.lift_scheduled",
  "restriction.lift_stopped",
  "restriction.lift_retried",
  "restriction.lift_completed",
  "restriction.hand_applied",
  "restriction.hand_lifted",
  "objection.survey_contacts_removed",
  "objection.recorded",
  "suppression.checked",
  "suppression.exported",
  "ticket.contact_code_sent",
  "ticket.contact_verified",
  "ticket.callback_checked",
  "ticket.answered_no_data",
  "ticket.info_reminded",
  "ticket.verification_reminded",
  "ticket.closed_no_reply",
  "letter.posted",
  "identifier.confirmed",
  "identifier.rejected",
  "identifier.verified",
  "gather.skipped",
  "gather.waived",
  "archive.withdrawn",
  "mandate.accepted",
  "mandate.rejected",
  "retention.run",
  "retention.recordings_purged",
  "retention.request_purged",
  "retention.hold_set",
  "retention.hold_lifted",
  "referral.sent",
  "referral.client_unknown",
  "referral.acknowledged",
  "referral.instructed",
  "referral.reminded",
  "archive.previewed",
  "withholding.proposed",
  "withholding.approved",
  "withholding.rejected",
  "withholding.withdrawn",
] as const;
export type AuditActionName = (typeof AUDIT_ACTIONS)[number];
