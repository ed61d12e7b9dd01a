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
