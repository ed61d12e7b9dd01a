import { bigint, boolean, index, integer, pgTable, text } from "drizzle-orm/pg-core";
import type { HolidayProfileName, Role, Site } from "../schema/enums";

/** Back-office accounts. Agents see only their own site's tickets. */
export const staff = pgTable("staff", {
  id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
  email: text("email").notNull().unique(),
  displayName: text("display_name").notNull(),
  role: text("role").$type<Role>().notNull(),
  site: text("site").$type<Site>().notNull(),
  /** scrypt, self-describing: scrypt$N$r$p$salt$hash */
  passwordHash: text("password_hash").notNull(),
  mustChangePassword: boolean("must_change_password").notNull().default(true),
  /** TOTP secret, AES-256-GCM encrypted; enabled once confirmed with a first code */
  totpSecret: text("totp_secret"),
  totpEnabled: boolean("totp_enabled").notNull().default(false),
  /**
   * The latest TOTP time-step (Unix time / 30 s) accepted for this account,
   * whichever factor it came from: a code is accepted only for a later step,
   * so each one opens the account once (ASVS V2.8.4).
   */
  totpLastStep: integer("totp_last_step").notNull().default(0),
  active: boolean("active").notNull().default(true),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
  lastLoginAt: bigint("last_login_at", { mode: "number" }),
});
export type StaffRow = typeof staff.$inferSelect;

/** Server-side sessions: the cookie carries a random id, the table its hash. */
export const staffSessions = pgTable(
  "staff_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    staffId: integer("staff_id").notNull().references(() => staff.id),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    lastSeenAt: bigint("last_seen_at", { mode: "number" }).notNull(),
    /** false until the TOTP step is passed, for accounts that have one */
    secondFactorDone: boolean("second_factor_done").notNull().default(false),
  },
  (t) => [index("staff_sessions_staff_idx").on(t.staffId)],
);

/** Per-site settings; the holiday profile feeds the deadline engine. */
export const sites = pgTable("sites", {
  code: text("code").$type<Site>().primaryKey(),
  name: text("name").notNull(),
  holidayProfile: text("holiday_profile").$type<HolidayProfileName>().notNull().default("metropolitan"),
  headOffice: boolean("head_office").notNull().default(false),
});
