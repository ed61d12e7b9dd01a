import { and, eq, inArray, lt, ne } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import { z } from "zod";
import type { Rendered } from "../../emails/layout";
import { organisation } from "../utils/organisation.server";
import { passwordChanged, secondFactorChanged, type SecondFactorChange } from "../../emails/staff-security";
import { ROLES, SITES, type Locale, type Role, type Site } from "../../db/schema/enums";
import { staff, staffSessions, type StaffRow } from "../../db/schema/staff";
import { decrypt, encrypt, keyedHash, randomToken } from "../utils/crypto.server";
import type { DbOrTx } from "../utils/db.server";
import { env } from "../utils/env.server";
import { dummyHash, generatePassword, hashPassword, verifyPassword } from "../utils/password.server";
import { current, hit } from "../utils/rate-limit.server";
import { greaterOf } from "../utils/sql-dialect.server";
import * as audit from "./audit.server";
import type { AuditAction } from "./audit.server";
import { requireRole } from "./authz";
import { enqueue } from "./outbox.server";
import type { Ctx, StaffActor } from "./context";
import { DomainError } from "./errors";
import { withTx, first, changes } from "../utils/db.server";

export const NewStaff = z.object({
  email: z.email().max(254).transform((e) => e.trim().toLowerCase()),
  displayName: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  site: z.enum(SITES),
});
export type NewStaff = z.infer<typeof NewStaff>;

export function toActor(row: StaffRow): StaffActor {
  return { kind: "staff", id: row.id, role: row.role, site: row.site, email: row.email, displayName: row.displayName };
}

/**
 * Creates an account with a one-time password that must be changed at first
 * login. Only an admin may do this in the app; the CLI acts as the system.
 */
export async function createStaff({ ctx, input, password }: { ctx: Ctx; input: NewStaff; password?: string }) {
  if (ctx.actor.kind !== "system") requireRole(ctx.actor, "admin");
  const oneTime = password ?? generatePassword();
  const passwordHash = await hashPassword(oneTime);
  return await withTx(ctx, async (tx) => {
    if ((await first(tx.select({ id: staff.id }).from(staff).where(eq(staff.email, input.email))))) {
      throw new DomainError("conflict", { field: "email" });
    }
    const row = (await first(tx
      .insert(staff)
      .values({ ...input, passwordHash, mustChangePassword: !password, createdAt: ctx.now })
      .returning()))!;
    await audit.append(tx, { actor: ctx.actor, action: "staff.created", details: { staffId: row.id, role: row.role, site: row.site }, at: ctx.now });
    return { staff: row, oneTimePassword: oneTime };
  });
}

const HOUR = 3_600_000;
const LOGIN_FAILURES_PER_ACCOUNT = 10;
const LOGIN_FAILURES_PER_IP = 50;

export type LoginResult = { ok: true; sessionToken: string; needsSecondFactor: boolean; mustChangePassword: boolean } | { ok: false; reason: "invalid" | "throttled" };

/**
 * One message for every failure (unknown account, wrong password, disabled
 * account) and a password hash computed in every case, so neither the words
 * nor the timing say which accounts exist.
 */
export async function login({ ctx, email, password, ip }: { ctx: Ctx; email: string; password: string; ip: string }): Promise<LoginResult> {
  const normalised = email.trim().toLowerCase().slice(0, 254);
  // Only failures count, so colleagues behind one office address are not
  // locked out by each other's successful sign-ins.
  const throttled =
    (await current(ctx.db, "login-fail:ip", ip, HOUR, ctx.now)) >= LOGIN_FAILURES_PER_IP || (await current(ctx.db, "login-fail:account", normalised, HOUR, ctx.now)) >= LOGIN_FAILURES_PER_ACCOUNT;
  const row = await first(ctx.db.select().from(staff).where(eq(staff.email, normalised)));
  const valid = await verifyPassword(password.slice(0, 1024), row?.passwordHash ?? (await dummyHash()));
  if (throttled) return { ok: false, reason: "throttled" };
  if (!row || !row.active || !valid) {
    await hit(ctx.db, "login-fail:ip", ip, Number.MAX_SAFE_INTEGER, HOUR, ctx.now);
    await hit(ctx.db, "login-fail:account", normalised, Number.MAX_SAFE_INTEGER, HOUR, ctx.now);
    await withTx(ctx, async (tx) =>
      await audit.append(tx, { actor: { kind: "system" }, action: "staff.login_failed", details: { account: keyedHash("audit-id", normalised) }, at: ctx.now }),
    );
    return { ok: false, reason: "invalid" };
  }
  const token = randomToken();
  await withTx(ctx, async (tx) => {
    await tx.insert(staffSessions).values({ idHash: keyedHash("session", token), staffId: row.id, createdAt: ctx.now, lastSeenAt: ctx.now, secondFactorDone: !row.totpEnabled });
    await tx.update(staff).set({ lastLoginAt: ctx.now }).where(eq(staff.id, row.id));
    await audit.append(tx, { actor: toActor(row), action: "staff.login", details: {}, at: ctx.now });
  });
  return { ok: true, sessionToken: token, needsSecondFactor: row.totpEnabled, mustChangePassword: row.mustChangePassword };
}

export type SessionState = { actor: StaffActor; row: StaffRow; secondFactorDone: boolean; needsTotpSetup: boolean };

/** The signed-in staff member for a session cookie, sliding the idle timeout; null when absent or expired. */
export async function sessionFrom(db: DbOrTx, token: string | undefined, now: Date): Promise<SessionState | null> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const e = env();
  const idHash = keyedHash("session", token);
  const session = await first(db.select().from(staffSessions).where(eq(staffSessions.idHash, idHash)));
  if (!session) return null;
  const idleMs = e.STAFF_SESSION_IDLE_MINUTES * 60_000;
  const absoluteMs = e.STAFF_SESSION_MAX_HOURS * HOUR;
  if (now.getTime() - session.lastSeenAt.getTime() > idleMs || now.getTime() - session.createdAt.getTime() > absoluteMs) {
    await db.delete(staffSessions).where(eq(staffSessions.idHash, idHash));
    return null;
  }
  const row = await first(db.select().from(staff).where(eq(staff.id, session.staffId)));
  if (!row || !row.active) return null;
  if (now.getTime() - session.lastSeenAt.getTime() > 60_000) {
    await db.update(staffSessions).set({ lastSeenAt: now }).where(eq(staffSessions.idHash, idHash));
  }
  const needsTotpSetup = totpRequiredFor(row) && !row.totpEnabled;
  return { actor: toActor(row), row, secondFactorDone: session.secondFactorDone, needsTotpSetup };
}

export async function logout({ ctx, token }: { ctx: Ctx; token: string | undefined }) {
  if (!token) return;
  await withTx(ctx, async (tx) => {
    await tx.delete(staffSessions).where(eq(staffSessions.idHash, keyedHash("session", token)));
    if (ctx.actor.kind === "staff") await audit.append(tx, { actor: ctx.actor, action: "staff.logout", details: {}, at: ctx.now });
  });
}

export async function purgeExpiredSessions(db: DbOrTx, now: Date) {
  const idleMs = env().STAFF_SESSION_IDLE_MINUTES * 60_000;
  await db.delete(staffSessions).where(lt(staffSessions.lastSeenAt, new Date(now.getTime() - idleMs)));
}

export type PasswordResult = { ok: true } | { ok: false; reason: ReauthFailure | "too_short" };

/**
 * A self-service change, with the current password as proof (a wrong one
 * counts towards the sign-in lockout, as for a change of factor). Like a
 * change of factor, it ends the account's other sessions, is audited and is
 * emailed to the staff member (OWASP ASVS 4.0 V2.2.3, V3.3.3).
 */
export async function changePassword({ ctx, current, next, sessionToken, locale }: { ctx: Ctx; current: string; next: string; sessionToken: string; locale: Locale }): Promise<PasswordResult> {
  const me = ctx.actor.kind === "staff" ? ctx.actor : null;
  if (!me) throw new DomainError("forbidden");
  const row = (await first(ctx.db.select().from(staff).where(eq(staff.id, me.id))))!;
  const proof = await reauthenticate(ctx, row, { password: current }, "password_change");
  if (!proof.ok) return proof;
  if (next.length < 12 || next.length > 256) return { ok: false, reason: "too_short" };
  const passwordHash = await hashPassword(next);
  await withTx(ctx, async (tx) => {
    await tx.update(staff).set({ passwordHash, mustChangePassword: false }).where(eq(staff.id, me.id));
    const notice = passwordChanged({ at: ctx.now, accountLink: `${env().BASE_URL}/admin/compte` }, locale);
    await recordCredentialChange(tx, ctx, me, sessionToken, { action: "staff.password_changed", template: "staff_password_changed", notice });
  });
  return { ok: true };
}

// ---- TOTP (RFC 6238, via otpauth) ----

function totpFor(row: Pick<StaffRow, "email">, secretBase32: string) {
  return new OTPAuth.TOTP({ issuer: `RightsDesk ${organisation().controller.name}`, label: row.email, secret: OTPAuth.Secret.fromBase32(secretBase32), digits: 6, period: 30 });
}

/** REQUIRE_2FA: admins and the DPO must have a second factor, and cannot remove it. */
export function totpRequiredFor(row: Pick<StaffRow, "role">): boolean {
  return env().REQUIRE_2FA && (row.role === "admin" || row.role === "dpo");
}

const TOTP_STEP_MS = 30_000;

/** The time-step a code belongs to (Unix time / 30 s, one step either side for the phone's clock), or null when it is wrong. */
function stepOf(totp: OTPAuth.TOTP, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: 1 });
  return delta === null ? null : Math.floor(now.getTime() / TOTP_STEP_MS) + delta;
}

type CodeCheck = { ok: true; step: number } | { ok: false; replayed: boolean };

/**
 * A code from the account's factor, right and of a later time-step than the
 * last one accepted: a code already used (or an older one) is refused like a
 * wrong one (ASVS V2.8.4). This is read before the work; `spendStep`, or the
 * change's own conditional write, is what makes it hold against a race.
 */
function checkTotp(row: Pick<StaffRow, "id" | "email" | "totpSecret" | "totpLastStep">, code: string, now: Date): CodeCheck {
  if (!row.totpSecret) return { ok: false, replayed: false };
  const secret = decrypt(Buffer.from(row.totpSecret, "base64"), `totp:${row.id}`).toString();
  const step = stepOf(totpFor(row, secret), code, now);
  if (step === null) return { ok: false, replayed: false };
  return step > row.totpLastStep ? { ok: true, step } : { ok: false, replayed: true };
}

/**
 * Marks a time-step used, in one conditional UPDATE: of two requests with
 * the same code, in this process or another, only the first changes the row.
 */
async function spendStep(tx: DbOrTx, staffId: number, step: number): Promise<boolean> {
  return (changes(await tx.update(staff).set({ totpLastStep: step }).where(and(eq(staff.id, staffId), lt(staff.totpLastStep, step))))) === 1;
}

const PENDING_TOTP_MS = 15 * 60_000;

/**
 * Starts enrolment (a first factor, or a new app in place of the current
 * one) and changes nothing: the new secret travels sealed (AES-GCM, bound to
 * the account, 15 minutes) in the confirmation form, and replaces the current
 * factor only once `confirmTotp` has seen a code from it and the proofs that
 * the account's owner is there.
 */
export function beginTotp({ ctx }: { ctx: Ctx }) {
  const me = ctx.actor.kind === "staff" ? ctx.actor : null;
  if (!me) throw new DomainError("forbidden");
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  const sealed = encrypt(Buffer.from(JSON.stringify({ secret, until: ctx.now.getTime() + PENDING_TOTP_MS })), `totp-pending:${me.id}`).toString("base64url");
  return { secret, uri: totpFor(me, secret).toString(), pending: sealed };
}

function openPending(staffId: number, pending: string, now: Date): string | null {
  try {
    const { secret, until } = JSON.parse(decrypt(Buffer.from(pending, "base64url"), `totp-pending:${staffId}`).toString()) as { secret: string; until: number };
    return typeof secret === "string" && typeof until === "number" && until > now.getTime() ? secret : null;
  } catch {
    return null;
  }
}

export type ReauthFailure = "reauth_missing" | "wrong_password" | "current_code_invalid" | "throttled";

type Reauth = { ok: true; step: number | null } | { ok: false; reason: ReauthFailure };
type Reauthentication = "totp_change" | "password_change";

/** A wrong proof on the account page: counted towards the sign-in lockout and audited as a failed authentication. */
async function reauthFailed(ctx: Ctx, row: StaffRow, factor: "password" | "totp", during: Reauthentication, replayed = false) {
  if (factor === "password") await hit(ctx.db, "login-fail:account", row.email, Number.MAX_SAFE_INTEGER, HOUR, ctx.now);
  else await hit(ctx.db, "totp-fail:account", String(row.id), Number.MAX_SAFE_INTEGER, HOUR, ctx.now);
  const details = { staffId: row.id, factor, during, ...(replayed ? { replayed: true } : {}) };
  await withTx(ctx, async (tx) => await audit.append(tx, { actor: toActor(row), action: "staff.login_failed", details, at: ctx.now }));
}

/**
 * Proof that the account's owner is at the keyboard, not only someone with
 * their session: the password and, for a change of factor, a code from the
 * factor in place when there is one (its time-step, in `step`, is for the
 * change to spend). Failures count towards the sign-in lockout and are
 * audited as failed authentications; missing fields are neither.
 */
async function reauthenticate(ctx: Ctx, row: StaffRow, proof: { password: string; currentCode?: string }, during: Reauthentication): Promise<Reauth> {
  const needsCode = proof.currentCode !== undefined && row.totpEnabled;
  if (!proof.password || (needsCode && !proof.currentCode)) return { ok: false, reason: "reauth_missing" };
  if ((await current(ctx.db, "login-fail:account", row.email, HOUR, ctx.now)) >= LOGIN_FAILURES_PER_ACCOUNT || (await current(ctx.db, "totp-fail:account", String(row.id), HOUR, ctx.now)) >= LOGIN_FAILURES_PER_ACCOUNT) {
    return { ok: false, reason: "throttled" };
  }
  if (!(await verifyPassword(proof.password.slice(0, 1024), row.passwordHash))) {
    await reauthFailed(ctx, row, "password", during);
    return { ok: false, reason: "wrong_password" };
  }
  if (!needsCode) return { ok: true, step: null };
  const code = checkTotp(row, proof.currentCode!, ctx.now);
  if (!code.ok) {
    await reauthFailed(ctx, row, "totp", during, code.replayed);
    return { ok: false, reason: "current_code_invalid" };
  }
  return { ok: true, step: code.step };
}

/**
 * Done for every change of a credential (the password or the second
 * factor): the account's other sessions end (they may be the reason for the
 * change), the change is audited, and the staff member is told by email, in
 * the language they use the back office in.
 */
async function recordCredentialChange(tx: DbOrTx, ctx: Ctx, me: StaffActor, sessionToken: string, change: { action: AuditAction; template: string; notice: Rendered }) {
  await tx.delete(staffSessions).where(and(eq(staffSessions.staffId, me.id), ne(staffSessions.idHash, keyedHash("session", sessionToken))));
  await audit.append(tx, { actor: me, action: change.action, details: {}, at: ctx.now });
  await enqueue(tx, { channel: "email", to: me.email, template: change.template, subject: change.notice.subject, text: change.notice.text, html: change.notice.html }, ctx.now);
}

async function recordFactorChange(tx: DbOrTx, ctx: Ctx, me: StaffActor, sessionToken: string, change: SecondFactorChange, locale: Locale) {
  const action = ({ enabled: "staff.totp_enabled", replaced: "staff.totp_changed", removed: "staff.totp_disabled" } as const)[change];
  const notice = secondFactorChanged({ change, at: ctx.now, accountLink: `${env().BASE_URL}/admin/compte` }, locale);
  await recordCredentialChange(tx, ctx, me, sessionToken, { action, template: `staff_totp_${change}`, notice });
}

export type TotpResult = { ok: true; change: SecondFactorChange } | { ok: false; reason: ReauthFailure | "totp_invalid" | "pending_expired" };

/** Puts the new factor in place once its code, the password and (if any) the current factor's code are right. */
export async function confirmTotp({
  ctx,
  pending,
  code,
  password,
  currentCode,
  sessionToken,
  locale,
}: {
  ctx: Ctx;
  pending: string;
  code: string;
  password: string;
  currentCode: string;
  sessionToken: string;
  locale: Locale;
}): Promise<TotpResult> {
  const me = ctx.actor.kind === "staff" ? ctx.actor : null;
  if (!me) throw new DomainError("forbidden");
  const row = (await first(ctx.db.select().from(staff).where(eq(staff.id, me.id))))!;
  const secret = openPending(me.id, pending, ctx.now);
  if (!secret) return { ok: false, reason: "pending_expired" };
  const proof = await reauthenticate(ctx, row, { password, currentCode }, "totp_change");
  if (!proof.ok) return proof;
  const newStep = stepOf(totpFor(me, secret), code, ctx.now);
  if (newStep === null) return { ok: false, reason: "totp_invalid" };
  const change: SecondFactorChange = row.totpEnabled ? "replaced" : "enabled";
  // What was read must still hold when the factor is written: the current
  // code's step not spent meanwhile (a replacement), no factor set up
  // meanwhile (a first one). Both codes are spent: the later step becomes
  // the last accepted, so neither opens the account again.
  const still = change === "replaced" ? and(eq(staff.totpEnabled, true), lt(staff.totpLastStep, proof.step!)) : eq(staff.totpEnabled, false);
  const done = await withTx(ctx, async (tx) => {
    const lastStep = greaterOf(staff.totpLastStep, Math.max(newStep, proof.step ?? 0));
    const set = { totpSecret: encrypt(Buffer.from(secret), `totp:${me.id}`).toString("base64"), totpEnabled: true, totpLastStep: lastStep };
    if ((changes(await tx.update(staff).set(set).where(and(eq(staff.id, me.id), still)))) !== 1) return false;
    await tx.update(staffSessions).set({ secondFactorDone: true }).where(eq(staffSessions.idHash, keyedHash("session", sessionToken)));
    await recordFactorChange(tx, ctx, me, sessionToken, change, locale);
    return true;
  });
  if (done) return { ok: true, change };
  if (change === "enabled") return { ok: false, reason: "totp_invalid" };
  await reauthFailed(ctx, row, "totp", "totp_change", true);
  return { ok: false, reason: "current_code_invalid" };
}

/** Removes the second factor, with the same proofs; refused where REQUIRE_2FA makes it mandatory. */
export async function removeTotp({ ctx, password, currentCode, sessionToken, locale }: { ctx: Ctx; password: string; currentCode: string; sessionToken: string; locale: Locale }): Promise<TotpResult> {
  const me = ctx.actor.kind === "staff" ? ctx.actor : null;
  if (!me) throw new DomainError("forbidden");
  const row = (await first(ctx.db.select().from(staff).where(eq(staff.id, me.id))))!;
  if (totpRequiredFor(row)) throw new DomainError("forbidden", { code: "totp_required" });
  if (!row.totpEnabled) throw new DomainError("illegal_transition", { code: "totp_off" });
  const proof = await reauthenticate(ctx, row, { password, currentCode }, "totp_change");
  if (!proof.ok) return proof;
  const done = await withTx(ctx, async (tx) => {
    // Spends the current code's step in the same conditional write (see confirmTotp).
    const unspent = and(eq(staff.id, me.id), eq(staff.totpEnabled, true), lt(staff.totpLastStep, proof.step!));
    if ((changes(await tx.update(staff).set({ totpSecret: null, totpEnabled: false, totpLastStep: proof.step! }).where(unspent))) !== 1) return false;
    await recordFactorChange(tx, ctx, me, sessionToken, "removed", locale);
    return true;
  });
  if (done) return { ok: true, change: "removed" };
  await reauthFailed(ctx, row, "totp", "totp_change", true);
  return { ok: false, reason: "current_code_invalid" };
}

/** The second login step. Throttled like passwords; a code already used counts as a wrong one. */
export async function passSecondFactor({ ctx, sessionToken, code, ip }: { ctx: Ctx; sessionToken: string; code: string; ip: string }) {
  const state = await sessionFrom(ctx.db, sessionToken, ctx.now);
  if (!state) return { ok: false as const, reason: "invalid" as const };
  if ((await current(ctx.db, "totp-fail:account", String(state.row.id), HOUR, ctx.now)) >= LOGIN_FAILURES_PER_ACCOUNT || (await current(ctx.db, "login-fail:ip", ip, HOUR, ctx.now)) >= LOGIN_FAILURES_PER_IP) {
    return { ok: false as const, reason: "throttled" as const };
  }
  const check = checkTotp(state.row, code, ctx.now);
  const passed =
    check.ok &&
    (await withTx(ctx, async (tx) => {
      if (!(await spendStep(tx, state.row.id, check.step))) return false;
      await tx.update(staffSessions).set({ secondFactorDone: true }).where(eq(staffSessions.idHash, keyedHash("session", sessionToken)));
      return true;
    }));
  if (!passed) {
    await hit(ctx.db, "totp-fail:account", String(state.row.id), Number.MAX_SAFE_INTEGER, HOUR, ctx.now);
    await hit(ctx.db, "login-fail:ip", ip, Number.MAX_SAFE_INTEGER, HOUR, ctx.now);
    // Journalled apart from a wrong code: a replay means someone saw a code, or a request was sent twice.
    const details = { staffId: state.row.id, factor: "totp", ...(check.ok || check.replayed ? { replayed: true } : {}) };
    await withTx(ctx, async (tx) => await audit.append(tx, { actor: { kind: "system" }, action: "staff.login_failed", details, at: ctx.now }));
    return { ok: false as const, reason: "invalid" as const };
  }
  return { ok: true as const };
}

export async function listStaff(db: DbOrTx) {
  return await db.select({ id: staff.id, displayName: staff.displayName, role: staff.role, site: staff.site, email: staff.email }).from(staff).where(eq(staff.active, true));
}

export async function staffByEmail(db: DbOrTx, email: string) {
  return await first(db.select().from(staff).where(and(eq(staff.email, email.trim().toLowerCase()), eq(staff.active, true))));
}

export type { Role, Site };

/** Staff members' display names by id, for pages that say who did what (ids absent from the table are left out). */
export async function staffNames(db: DbOrTx, ids: (number | null | undefined)[]): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((id): id is number => typeof id === "number"))];
  if (!wanted.length) return new Map();
  return new Map((await db.select({ id: staff.id, name: staff.displayName }).from(staff).where(inArray(staff.id, wanted))).map((s) => [s.id, s.name]));
}
