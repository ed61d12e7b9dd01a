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

