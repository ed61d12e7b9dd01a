import { and, desc, eq, lt } from "drizzle-orm";
import type { Readable } from "node:stream";
import { archives, type ArchiveRow } from "../../db/schema/archives";
import { gatherJobs } from "../../db/schema/gather";
import { requests, type RequestRow } from "../../db/schema/requests";
import * as emails from "../../emails";
import type { Registry } from "../connectors/registry";
import { blobKeyOf, blobStore, discardBlobs, readBlob } from "../utils/blob-store.server";
import { fileCipher, fileDecipher } from "../utils/crypto.server";
import type { Db, DbOrTx } from "../utils/db.server";
import { env } from "../utils/env.server";
import { log } from "../utils/log.server";
import { ArchiveBuildError, buildArchive } from "./archive.server";
import { requireAnswerable } from "./gather.server";
import { nothingHeld } from "./answers.server";
import { reach } from "./contacts.server";
import { parisDate } from "./deadlines";
import { notifyRequester, unreachable } from "./letters.server";
import * as audit from "./audit.server";
import { requireRole, requireStaff } from "./authz";
import type { Ctx, StaffActor } from "./context";
import { DomainError } from "./errors";
import { loadTicket } from "./ticket-access.server";
import { enqueue } from "./outbox.server";
import { addEvent, link } from "./requests.server";
import { findLink, issueLink, markUsed } from "./verification.server";
import { brand } from "../../emails/layout";
import { approvedWithholdings } from "./withholdings.server";
import { first, withTx, changes } from "../utils/db.server";

/**
 * Handing the archive over (DESIGN.md "Archive and delivery"): built from
 * the gathered data, encrypted at rest, released by staff, downloaded by the
 * requester after a fresh proof of identity, counted, audited, purged after
 * expiry.
 */
export type ArchiveKind = "access" | "portability";


/**
 * An archive answers the right the person asked for, and only that one: a
 * portability archive is not a lesser access copy (it leaves out what our
 * staff wrote about them), and an access copy handed to someone who asked only
 * to take their data elsewhere discloses more than asked.
 */
export function requireArchiveRight(r: Pick<RequestRow, "rights">, kind: ArchiveKind) {
  if (!r.rights.includes(kind)) throw new DomainError("illegal_transition", { code: kind === "access" ? "no_access_right" : "no_portability_right" });
}

/**
 * Whether this archive may go out now, and to which proven contact: the one
 * set of checks the release runs and its confirmation states beforehand
 * (a confirmation is never offered for what the release would refuse).
 */
export async function releasable(db: DbOrTx, me: StaffActor, r: RequestRow, kind: ArchiveKind) {
  requireRole(me, ...(kind === "access" ? (["dpo"] as const) : (["dpo", "support"] as const)));
  requireArchiveRight(r, kind);
  if (!["received", "in_progress", "ready"].includes(r.status)) throw new DomainError("illegal_transition", { from: r.status, to: "archive" });
  const gathered = await first(db.select({ id: gatherJobs.id }).from(gatherJobs).where(and(eq(gatherJobs.requestId, r.id), eq(gatherJobs.status, "done"))));
  if (!gathered) throw new DomainError("illegal_transition", { code: "nothing_gathered" });
  await requireAnswerable(db, r.id); // every system searched, or the DPO recorded why not
  // A person held nowhere gets the no-data answer, not an archive claiming to hold a copy of their data.
  if ((await nothingHeld(db, r.id))) throw new DomainError("illegal_transition", { code: "nothing_held" });
  // Items proposed for withholding wait for the DPO's decision: nothing goes out before it (ADR 0016).
  await approvedWithholdings(db, r.id, kind);
  // Only to a contact proven for this request (or where the mandate says): checked before anything is built.
  const to = await reach(db, r, { disclosure: true });
  if (!to) throw unreachable(true);
  // A ZIP cannot go by post: the download needs a fresh proof by email or SMS.
  if (to.channel === "post") throw new DomainError("conflict", { code: "archive_needs_email_or_phone" });
  return to;
}

/** Support releases portability archives; access archives need the DPO. */
export async function releaseArchive({ ctx, reference, kind, registry }: { ctx: Ctx; reference: string; kind: ArchiveKind; registry: Pick<Registry, "get"> }) {
  const me = requireStaff(ctx.actor);
  const r = await loadTicket(ctx.db, me, reference);
  await releasable(ctx.db, me, r, kind);

  const stamp = `${r.id}-${ctx.now.getTime()}-${kind}`;
  // A key of the blob store (ADR 0021): the row names it only once the put has succeeded.
  const sealed = `archives/${stamp}.zip.enc`;
  // Whether this release stored the blob: a build that failed kept nothing, and a key another release holds is not ours to delete.
  let stored = false;
  try {
    // Encrypted as it is written: the archive never rests on disk in clear, and is written once.
    const aad = `archive:${r.id}:${kind}:${ctx.now.getTime()}`;
    const { iv, cipher } = fileCipher(aad);
    let built;
    try {
      built = await buildArchive({ db: ctx.db, requestId: r.id, kind, out: { blob: sealed }, now: ctx.now, actor: me, registry, seal: cipher });
      stored = true;
    } catch (error) {
      throw storageFailure(error, r.reference);
    }
    const expiresAt = new Date(ctx.now.getTime() + env().ARCHIVE_LINK_TTL_DAYS * 86_400_000);
    return await withTx(ctx, async (tx) => {
      const row = (await first(tx
        .insert(archives)
        .values({
          requestId: r.id,
          kind,
          status: "ready",
          filePath: sealed,
          iv: `${iv.toString("base64")}|${ctx.now.getTime()}`,
          tag: cipher.getAuthTag().toString("base64"),
          bytes: built.bytes,
          sha256: built.manifestSha256,
          entries: built.files,
          releasedBy: me.id,
          releasedAt: ctx.now,
          expiresAt,
        })
        .returning()))!;
      await addEvent(tx, r.id, ctx, "archive_released", { kind });
      await audit.append(tx, { actor: me, action: "archive.released", reference: r.reference, details: { kind, bytes: built.bytes, files: built.files }, at: ctx.now });
      const expiresOn = parisDate(expiresAt);
      await notifyRequester(tx, ctx, r, {
        kind: `archive_${kind}`,
        template: "archive_ready",
        message: emails.archiveReady({ reference: r.reference, kind, expiresOn, statusLink: link(`/suivi/lien/${(await issueLink(tx, r.id, "status_link", ctx.now))}`) }, r.locale),
        sms: (l) => (r.locale === "en" ? `${brand()}: your archive for request ${r.reference} is ready: ${l}` : `${brand()} : votre archive pour la demande ${r.reference} est prête : ${l}`),
        disclosure: true,
      });
      return row;
    });
  } catch (error) {
    // Its row was not written: the blob goes (a failure to delete it is logged, not thrown over this error, and swept later).
    if (stored) await discardBlobs({ keys: [sealed] });
    throw error;
  }
}

/** Errors of the file system that say "the archive directory cannot take this file". */
const STORAGE_ERRNOS = new Set(["ENOSPC", "EDQUOT", "EROFS", "EACCES", "EPERM", "ENOTDIR", "EEXIST", "EISDIR", "ENOENT", "EFBIG", "EIO"]);

/**
 * A full disk or an unwritable archive directory is the operator's problem, not
 * a crash: staff get a clear message (409), nothing is recorded as released and
 * nobody is told an archive is ready. The log says which errno, never a name.
 */
function storageFailure(error: unknown, reference: string): unknown {
  if (error instanceof DomainError) return error;
  if (error instanceof ArchiveBuildError && error.code !== "write_failed") {
    log.error("archive.source_failed", { reference, reason: error.code });
    return new DomainError("unavailable", { code: "archive_source_unreadable" });
  }
  const cause = error instanceof ArchiveBuildError ? error.cause : error;
  const errno = typeof (cause as NodeJS.ErrnoException | undefined)?.code === "string" ? (cause as NodeJS.ErrnoException).code! : "unknown";
  if (!(error instanceof ArchiveBuildError) && !STORAGE_ERRNOS.has(errno)) return error;
  log.error("archive.storage_failed", { reference, errno, store: blobStore().kind });
  return new DomainError("unavailable", { code: "archive_storage_failed" });
}

/** What the requester's status page lists. */
export async function archivesFor(db: DbOrTx, requestId: number, now: Date) {
  return (await db
    .select({ id: archives.id, kind: archives.kind, bytes: archives.bytes, expiresAt: archives.expiresAt, downloads: archives.downloads })
    .from(archives)
    .where(and(eq(archives.requestId, requestId), eq(archives.status, "ready")))
    .orderBy(desc(archives.id)))
    .filter((a) => a.expiresAt.getTime() > now.getTime());
}

/** Step one of a download: a fresh single-use link to the address (or phone) on the request. */
export async function sendDownloadLink({ ctx, requestId, archiveId }: { ctx: Ctx; requestId: number; archiveId: number }) {
  await withTx(ctx, async (tx) => {
    const a = await first(tx.select().from(archives).where(and(eq(archives.id, archiveId), eq(archives.requestId, requestId), eq(archives.status, "ready"))));
    if (!a || a.expiresAt.getTime() <= ctx.now.getTime()) throw new DomainError("not_found");
    const r = (await first(tx.select().from(requests).where(eq(requests.id, requestId))))!;
    const token = await issueLink(tx, requestId, "download_link", ctx.now);
    const url = link(`/archive/${token}?a=${a.id}`);
    // The fresh proof goes where the archive may go: a proven contact (or where the mandate says), never a post box.
    const to = await reach(tx, r, { disclosure: true });
    if (to?.channel === "email") {
      const m = emails.downloadLink({ reference: r.reference, link: url }, r.locale);
      await enqueue(tx, { channel: "email", to: to.to, template: "download_link", ...m, requestId: r.id, expiresAt: new Date(ctx.now.getTime() + 30 * 60_000) }, ctx.now);
    } else if (to?.channel === "sms") {
      const text = r.locale === "en" ? `${brand()}: download link for request ${r.reference} (30 min, once): ${url}` : `${brand()} : lien de téléchargement pour la demande ${r.reference} (30 min, une fois) : ${url}`;
      await enqueue(tx, { channel: "sms", to: to.to, template: "sms_download_link", text, requestId: r.id, expiresAt: new Date(ctx.now.getTime() + 30 * 60_000) }, ctx.now);
    } else throw unreachable(true);
  });
}

/** Step two: spend the link, count and audit, and hand over the decrypted stream. */
export async function openDownload({ ctx, token, archiveId }: { ctx: Ctx; token: string; archiveId: number }): Promise<{ stream: Readable; archive: ArchiveRow; reference: string } | null> {
  return await withTx(ctx, async (tx) => {
    const t = await findLink(tx, token, "download_link", ctx.now);
    if (!t) return null;
    const a = await first(tx.select().from(archives).where(and(eq(archives.id, archiveId), eq(archives.requestId, t.requestId), eq(archives.status, "ready"))));
    if (!a || !a.filePath || a.expiresAt.getTime() <= ctx.now.getTime()) return null;
    await markUsed(tx, t.id, ctx.now);
    await tx.update(archives).set({ downloads: a.downloads + 1, lastDownloadAt: ctx.now }).where(eq(archives.id, a.id));
    const r = (await first(tx.select({ reference: requests.reference }).from(requests).where(eq(requests.id, a.requestId))))!;
    await audit.append(tx, { actor: { kind: "requester" }, action: "archive.downloaded", reference: r.reference, details: { kind: a.kind, archiveId: a.id, download: a.downloads + 1 }, at: ctx.now });
    const [ivB64, stamp] = a.iv.split("|");
    const decipher = fileDecipher(Buffer.from(ivB64!, "base64"), Buffer.from(a.tag, "base64"), `archive:${a.requestId}:${a.kind}:${stamp}`);
    const sealed = readBlob(blobStore(), blobKeyOf(a.filePath)).on("error", (e) => decipher.destroy(e));
    return { stream: sealed.pipe(decipher), archive: a, reference: r.reference };
  });
}

export async function downloadLinkIsUsable(db: DbOrTx, token: string, now: Date) {
  return (await findLink(db, token, "download_link", now)) !== null;
}

/** Expired archives are deleted from the blob store; the row stays as proof of what was handed over, and the audit trail says when. */
export async function purgeExpiredArchives(db: Db, now: Date): Promise<number> {
  const expired = await db
    .select({ id: archives.id, kind: archives.kind, filePath: archives.filePath, reference: requests.reference, requestId: archives.requestId })
    .from(archives)
    .innerJoin(requests, eq(requests.id, archives.requestId))
    .where(and(eq(archives.status, "ready"), lt(archives.expiresAt, now)));
  let purged = 0;
  for (const a of expired) {
    // Only the archive still "ready": two processes sweeping at once purge and audit it once.
    const won = await withTx(db, async (tx) => {
      if ((changes(await tx.update(archives).set({ status: "purged", filePath: null, purgedAt: now, purgeReason: "expired" }).where(and(eq(archives.id, a.id), eq(archives.status, "ready"))))) !== 1) return false;
      await addEvent(tx, a.requestId, { db, now, actor: { kind: "system" } }, "archive_expired", { kind: a.kind });
      await audit.append(tx, { actor: { kind: "system" }, action: "erasure.copies_purged", reference: a.reference, details: { copies: "archive", archiveId: a.id, kind: a.kind, reason: "expired" }, at: now });
      return true;
    });
    if (!won) continue;
    await discardBlobs({ keys: [a.filePath] });
    purged++;
  }
  return purged;
}
