import { isNotNull } from "drizzle-orm";
import { archives } from "../../db/schema/archives";
import { gatheredItems } from "../../db/schema/gather";
import { blobKeyOf, blobStore, LocalBlobStore, type BlobStore } from "../utils/blob-store.server";
import type { Db } from "../utils/db.server";
import { log } from "../utils/log.server";

/**
 * Blobs nothing names any more (ADR 0021): a delete that failed after its
 * rows were gone, or a process that died between a put and the row naming
 * it. Only names the application writes are considered (gathered files,
 * released archives), never anything else an operator keeps in DATA_DIR,
 * and only blobs older than `graceMs`: a row is written right after its put,
 * so a young blob without one may be on its way to being named.
 */
const OURS = [/^gathered\/\d+\/\d+-\d+-\d+\.bin$/, /^archives\/\d+-\d+-(access|portability)\.zip\.enc$/];

export async function sweepOrphanBlobs({ db, now = new Date(), graceMs = 3_600_000, store = blobStore() }: { db: Db; now?: Date; graceMs?: number; store?: BlobStore }): Promise<number> {
  // On disk, a process killed mid-put leaves its temporary file (PostgreSQL rolls such a put back by itself).
  if (store instanceof LocalBlobStore) for (const p of ["gathered/", "archives/"]) await store.removeStaleTemporaries(p, new Date(now.getTime() - graceMs));
  // Listed before the rows are read: a blob named by a row written meanwhile is seen as named.
  const candidates = [...(await store.list("gathered/")), ...(await store.list("archives/"))].filter(
    (b) => OURS.some((re) => re.test(b.key)) && b.createdAt.getTime() < now.getTime() - graceMs,
  );
  if (!candidates.length) return 0;
  const named = new Set<string>();
  for (const r of await db.select({ filePath: gatheredItems.filePath }).from(gatheredItems).where(isNotNull(gatheredItems.filePath))) named.add(blobKeyOf(r.filePath!));
  for (const r of await db.select({ filePath: archives.filePath }).from(archives).where(isNotNull(archives.filePath))) named.add(blobKeyOf(r.filePath!));
  let deleted = 0;
  for (const b of candidates) {
    if (named.has(b.key)) continue;
    try {
      await store.delete(b.key);
      deleted++;
    } catch (error) {
      log.warn("blob.sweep_failed", { store: store.kind, code: (error as { code?: string }).code ?? "unknown" });
    }
  }
  if (deleted) log.info("blob.orphans_swept", { store: store.kind, deleted });
  return deleted;
}
