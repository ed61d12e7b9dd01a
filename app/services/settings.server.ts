import { asc, eq } from "drizzle-orm";
import { HOLIDAY_PROFILES, SITES, type HolidayProfileName, type Site } from "../../db/schema/enums";
import { sites, staff, staffSessions } from "../../db/schema/staff";
import * as audit from "./audit.server";
import { requireRole, requireStaff } from "./authz";
import type { Ctx } from "./context";
import { DomainError } from "./errors";
import { withTx, first } from "../utils/db.server";

/** Sites and their holiday profile (Alsace-Moselle adds Good Friday and 26 December). */
export async function listSites(ctx: Ctx) {
  requireStaff(ctx.actor);
  return await ctx.db.select().from(sites).orderBy(asc(sites.code));
}

export async function setHolidayProfile({ ctx, site, profile }: { ctx: Ctx; site: string; profile: string }) {
  const me = requireRole(ctx.actor, "admin");
  if (!SITES.includes(site as Site) || !HOLIDAY_PROFILES.includes(profile as HolidayProfileName)) throw new DomainError("invalid_input", { field: "profile" });
  await withTx(ctx, async (tx) => {
    await tx.update(sites).set({ holidayProfile: profile as HolidayProfileName }).where(eq(sites.code, site as Site));
    await audit.append(tx, { actor: me, action: "settings.updated", details: { site, holidayProfile: profile }, at: ctx.now });
  });
}

export async function listAccounts(ctx: Ctx) {
  requireRole(ctx.actor, "admin", "dpo");
  return await ctx.db
    .select({ id: staff.id, email: staff.email, displayName: staff.displayName, role: staff.role, site: staff.site, active: staff.active, totpEnabled: staff.totpEnabled, lastLoginAt: staff.lastLoginAt })
    .from(staff)
    .orderBy(asc(staff.displayName));
}

/** Deactivation ends every session of the account at once. */
export async function deactivateAccount({ ctx, staffId }: { ctx: Ctx; staffId: number }) {
  const me = requireRole(ctx.actor, "admin");
  if (staffId === me.id) throw new DomainError("invalid_input", { field: "staffId", code: "self" });
  await withTx(ctx, async (tx) => {
    const row = await first(tx.select().from(staff).where(eq(staff.id, staffId)));
    if (!row) throw new DomainError("not_found");
    await tx.update(staff).set({ active: false }).where(eq(staff.id, staffId));
    await tx.delete(staffSessions).where(eq(staffSessions.staffId, staffId));
    await audit.append(tx, { actor: me, action: "staff.deactivated", details: { staffId }, at: ctx.now });
  });
}
