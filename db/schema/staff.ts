import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { HolidayProfileName, Role, Site } from "./enums";

/** Back-office accounts. Agents see only their own site's tickets. */
export const staff = sqliteTable("staff", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  email: text("email").notNull().unique(),
  displayName: text("display_name").notNull(),
  role: text("role").$type<Role>().notNull(),
  site: text("site").$type<Site>().notNull(),
  /** scrypt, self-describing: scrypt$N$r$p$salt$hash */
  passwordHash: text("password_hash").notNull(),
  mustChangePassword: integer("must_change_password", { mode: "boolean" }).notNull().default(true),
  /** TOTP secret, AES-256-GCM encrypted; enabled once confirmed with a first code */
  totpSecret: text("totp_secret"),
  totpEnabled: integer("totp_enabled", { mode: "boolean" }).notNull().default(false),
  /**
   * The latest TOTP time-step (Unix time / 30 s) accepted for this account,
   * whichever factor it came from: a code is accepted only for a later step,
   * so each one opens the account once (ASVS V2.8.4).
   */
  totpLastStep: integer("totp_last_step").notNull().default(0),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  lastLoginAt: integer("last_login_at", { mode: "timestamp_ms" }),
});
export type StaffRow = typeof staff.$inferSelect;

/** Server-side sessions: the cookie carries a random id, the table its hash. */
export const staffSessions = sqliteTable(
  "staff_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    staffId: integer("staff_id").notNull().references(() => staff.id),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }).notNull(),
    /** false until the TOTP step is passed, for accounts that have one */
    secondFactorDone: integer("second_factor_done", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [index("staff_sessions_staff_idx").on(t.staffId)],
);

/** Per-site settings; the holiday profile feeds the deadline engine. */
export const sites = sqliteTable("sites", {
  code: text("code").$type<Site>().primaryKey(),
  name: text("name").notNull(),
  holidayProfile: text("holiday_profile").$type<HolidayProfileName>().notNull().default("metropolitan"),
  headOffice: integer("head_office", { mode: "boolean" }).notNull().default(false),
});
