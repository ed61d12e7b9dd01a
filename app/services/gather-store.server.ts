import { and, asc, eq, gt, inArray, isNotNull, isNull, lt, lte, ne, notExists, or, type SQL } from "drizzle-orm";
import { requests } from "../../db/schema/requests";
import { restrictions } from "../../db/schema/rights";
import { createHash } from "node:crypto";
import { pipeline, Transform, type Readable } from "node:stream";
import { dateReadings, gatheredItems, gatherJobs, type GatheredItem } from "../../db/schema/gather";
import { archiveWithholdings } from "../../db/schema/withholdings";
import type { Anomaly, ExportFile, ExportRecord, ExportSink, Match } from "../connectors/types";
import { blobKeyOf, blobStore, discardBlobs, readBlob } from "../utils/blob-store.server";
import { decrypt, encrypt, fileCipher, fileDecipher } from "../utils/crypto.server";
import type { Db, DbOrTx } from "../utils/db.server";
import { env } from "../utils/env.server";
import { faultPoint } from "../utils/faults.server";
import * as audit from "./audit.server";
import { withTx, first, forUpdate } from "../utils/db.server";

/**
 * Where gathered data rests: encrypted, per request, until the ticket's
 * retention ends. Rows carry records and anomalies; files go to the blob
 * store (ADR 0021), encrypted as they stream in, never held whole in memory.
 * A file's row is written once its blob is stored; its blob is deleted once
 * the transaction that removed its row committed.
 */
/** `attempts`: the claim's attempt, the fencing token stored with every item (0 for items written outside a claim). */
type JobRef = { id: number; requestId: number; connectorId: string; attempts?: number };

function aadFor(job: JobRef, kind: string, dataset: string, key: string) {
  return `gather:${job.requestId}:${job.connectorId}:${kind}:${dataset}:${key}`;
}

/** Every blob gathered for a request is under this prefix (gathered/<request id>/). */
export function gatheredPrefix(requestId: number) {
  return `gathered/${requestId}/`;
}

export function createGatherSink(db: Db, job: JobRef, now: () => Date = () => new Date()) {
  let n = 0;
  const attempt = job.attempts ?? 0;
  const counts = { records: 0, files: 0, anomalies: 0 };
  const insertJson = async (kind: "match" | "record" | "anomaly", dataset: string, key: string, value: unknown) => {
    await db.insert(gatheredItems)
      .values({
        jobId: job.id,
        requestId: job.requestId,
        connectorId: job.connectorId,
        kind,
        dataset,
        itemKey: key,
        payload: encrypt(Buffer.from(JSON.stringify(value)), aadFor(job, kind, dataset, key)),
        attempt,
        createdAt: now(),
      });
  };
  const sink: ExportSink & { matches(ms: Match[]): Promise<void>; counts: typeof counts } = {
    counts,
    async matches(ms: Match[]) {
      for (const m of ms) await insertJson("match", m.dataset, m.key, m);
    },
    async record(r: ExportRecord) {
      await insertJson("record", r.dataset, r.key, r);
      counts.records++;
      faultPoint("gather-record-stored");
    },
    async anomaly(a: Anomaly) {
      await insertJson("anomaly", a.dataset, a.key, a);
      counts.anomalies++;
    },
    async file(f: ExportFile) {
      // The attempt in the name: a worker that lost the job never writes over the new owner's files.
      const filePath = `${gatheredPrefix(job.requestId)}${job.id}-${attempt}-${++n}.bin`;
      const aad = aadFor(job, "file", f.dataset, f.key);
      const { iv, cipher } = fileCipher(aad);
      const hash = createHash("sha256");
      let size = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      });
      // One failure anywhere (the connector's stream, the cipher, the store) fails the put, which then keeps nothing.
      await blobStore().put(filePath, pipeline(f.open(), tap, cipher, () => {}));
      const meta = { name: f.name, contentType: f.contentType, iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64") };
      await db.insert(gatheredItems)
        .values({
          jobId: job.id,
          requestId: job.requestId,
          connectorId: job.connectorId,
          kind: "file",
          dataset: f.dataset,
          itemKey: f.key,
          payload: encrypt(Buffer.from(JSON.stringify(meta)), aadFor(job, "file-meta", f.dataset, f.key)),
          filePath,
          size,
          sha256: hash.digest("hex"),
          attempt,
          createdAt: now(),
        });
      counts.files++;
    },
  };
  return sink;
}

/**
 * A connector searched again replaces what its earlier searches stored: the
 * views and archives show what the system holds now, once (after a
 * rectification, the new values, not the old ones beside them).
 */
export async function purgeEarlierJobs(db: DbOrTx, job: JobRef & { attempts: number }): Promise<string[]> {
  // Everything of this connector for this request that is not this job's final attempt: earlier jobs, an
  // attempt that lost the job to us, a job that started earlier and finished later (only the latest counts).
  const newer = await first(db
    .select({ id: gatherJobs.id })
    .from(gatherJobs)
    .where(and(eq(gatherJobs.requestId, job.requestId), eq(gatherJobs.connectorId, job.connectorId), eq(gatherJobs.status, "done"), gt(gatherJobs.id, job.id))));
  const stale = and(
    eq(gatheredItems.requestId, job.requestId),
    eq(gatheredItems.connectorId, job.connectorId),
    newer ? lte(gatheredItems.jobId, job.id) : or(lt(gatheredItems.jobId, job.id), and(eq(gatheredItems.jobId, job.id), ne(gatheredItems.attempt, job.attempts))),
  );
  return await purgeWhere(db, stale);
}

/** What one attempt of a job wrote (it lost the job to another worker). Returns the files to remove after commit. */
export async function purgeAttempt(db: DbOrTx, job: JobRef & { attempts: number }): Promise<string[]> {
  return await purgeWhere(db, and(eq(gatheredItems.jobId, job.id), eq(gatheredItems.attempt, job.attempts)));
}

async function purgeWhere(db: DbOrTx, where: SQL | undefined): Promise<string[]> {
  const rows = await db.select({ filePath: gatheredItems.filePath }).from(gatheredItems).where(where);
  if (rows.length === 0) return [];
  await db.delete(gatheredItems).where(where);
  // Files go once the rows are gone for good: the caller removes them after its commit.
  return rows.map((f) => f.filePath).filter((p): p is string => !!p);
}

/** Removes what one job stored (a failed or re-run attempt starts clean). Outside a transaction: its rows go first, then its blobs. */
export async function purgeJob(db: Db, jobId: number) {
  await discardBlobs({ keys: await withTx(db, (tx) => purgeWhere(tx, eq(gatheredItems.jobId, jobId))) });
}

function jobOf(item: GatheredItem): JobRef {
  return { id: item.jobId, requestId: item.requestId, connectorId: item.connectorId };
}

export type StoredRecord = ExportRecord & { connectorId: string };
/** `resolved`: the reading staff chose for a date whose day and month could be swapped (date_readings). */
export type StoredAnomaly = Anomaly & { connectorId: string; resolved?: { format: string; value: string; decidedAt: string } };
export type StoredFile = { connectorId: string; dataset: string; key: string; name: string; contentType: string; size: number; sha256: string; open(): Readable };

/**
 * What counts as gathered for a request: per connector, the latest job that
 * finished (by id), and of it only what its final attempt wrote. A search run
 * twice is held once; a worker that lost its job to another adds nothing.
 */
export async function currentJobs(db: DbOrTx, requestId: number): Promise<Map<number, number>> {
  const done = await db
    .select({ id: gatherJobs.id, connectorId: gatherJobs.connectorId, attempts: gatherJobs.attempts })
    .from(gatherJobs)
    .where(and(eq(gatherJobs.requestId, requestId), eq(gatherJobs.status, "done")))
    .orderBy(asc(gatherJobs.id));
  const latest = new Map<string, { id: number; attempts: number }>();
  for (const j of done) latest.set(j.connectorId, j);
  return new Map([...latest.values()].map((j) => [j.id, j.attempts]));
}

/**
 * Everything gathered for a request, decrypted (callers audit the reading),
 * with the date readings staff chose applied: every view and archive reads
 * a resolved date the same way.
 */
export async function readGathered(db: DbOrTx, requestId: number) {
  const current = await currentJobs(db, requestId);
  const items = (await db
    .select()
    .from(gatheredItems)
    .where(eq(gatheredItems.requestId, requestId))
    .orderBy(asc(gatheredItems.id)))
    .filter((item) => current.get(item.jobId) === item.attempt);
  const records: StoredRecord[] = [];
  const anomalies: StoredAnomaly[] = [];
  const matches: Match[] = [];
  const files: StoredFile[] = [];
  for (const item of items) {
    const job = jobOf(item);
    if (item.kind === "file") {
      const meta = JSON.parse(decrypt(item.payload, aadFor(job, "file-meta", item.dataset, item.itemKey)).toString()) as { name: string; contentType: string; iv: string; tag: string };
      const aad = aadFor(job, "file", item.dataset, item.itemKey);
      files.push({
        connectorId: item.connectorId,
        dataset: item.dataset,
        key: item.itemKey,
        name: meta.name,
        contentType: meta.contentType,
        size: item.size ?? 0,
        sha256: item.sha256 ?? "",
        open: () => {
          // A missing or unreadable file must surface as an error on the stream
          // the caller reads, not as an unhandled error on a stream it never sees.
          const decipher = fileDecipher(Buffer.from(meta.iv, "base64"), Buffer.from(meta.tag, "base64"), aad);
          return readBlob(blobStore(), blobKeyOf(item.filePath!))
            .on("error", (e) => decipher.destroy(e))
            .pipe(decipher);
        },
      });
      continue;
    }
    const value = JSON.parse(decrypt(item.payload, aadFor(job, item.kind, item.dataset, item.itemKey)).toString());
    if (item.kind === "record") records.push({ ...(value as ExportRecord), connectorId: item.connectorId });
    else if (item.kind === "anomaly") anomalies.push({ ...(value as Anomaly), connectorId: item.connectorId });
    else matches.push(value as Match);
  }
  await applyDateReadings(db, requestId, records, anomalies);
  return { records, anomalies, matches, files };
}

const fieldId = (connectorId: string, dataset: string, key: string, field?: string) => JSON.stringify([connectorId, dataset, key, field]);

/**
 * A chosen reading applies while the same anomaly is there: same record and
 * field, and a raw value that still offers that reading (a re-gather keeps
 * the choice; a value changed since makes it void). The record's field then
 * holds the chosen date, and the anomaly says it was resolved.
 */
async function applyDateReadings(db: DbOrTx, requestId: number, records: StoredRecord[], anomalies: StoredAnomaly[]) {
  if (!anomalies.some((a) => a.readings?.length)) return;
  const chosen = new Map((await db.select().from(dateReadings).where(eq(dateReadings.requestId, requestId))).map((c) => [fieldId(c.connectorId, c.dataset, c.itemKey, c.field), c]));
  if (!chosen.size) return;
  const byRecord = new Map(records.map((r) => [fieldId(r.connectorId, r.dataset, r.key), r]));
  for (const a of anomalies) {
    const c = chosen.get(fieldId(a.connectorId, a.dataset, a.key, a.field));
    if (!c || !a.readings?.some((r) => r.format === c.format && r.value === c.value)) continue;
    a.resolved = { format: c.format, value: c.value, decidedAt: c.decidedAt.toISOString() };
    const record = byRecord.get(fieldId(a.connectorId, a.dataset, a.key));
    if (record && a.field in record.fields) record.fields[a.field] = c.value;
  }
}

/**
 * Deletes a request's gathered data (retention end, erasure). Its files go
 * after the caller's commit: `discardBlobs({ prefixes: [gatheredPrefix(id)] })`.
 */
export async function purgeRequest(db: DbOrTx, requestId: number) {
  await db.delete(gatheredItems).where(eq(gatheredItems.requestId, requestId));
  // How staff read a date is part of the copy: it goes with it.
  await db.delete(dateReadings).where(eq(dateReadings.requestId, requestId));
  // What staff wrote about withheld items may quote them: the rows stay as proof of the decision, the words go (ADR 0016).
  await db.update(archiveWithholdings).set({ note: "", explanation: null }).where(eq(archiveWithholdings.requestId, requestId));
}

/**
 * Retention: gathered copies of a closed request's data are deleted once
 * GATHER_RETENTION_DAYS have passed since closing. The request, its timeline
 * and the audit trail stay (they prove what was done, not what was held).
 * A request whose restriction is still in force is skipped until it is lifted.
 */
export async function purgeAfterRetention(db: Db, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - env().GATHER_RETENTION_DAYS * 86_400_000);
  const closed = await db
    .selectDistinct({ id: requests.id, reference: requests.reference })
    .from(requests)
    .innerJoin(gatheredItems, eq(gatheredItems.requestId, requests.id))
    .where(
      and(
        isNotNull(requests.closedAt),
        lt(requests.closedAt, cutoff),
        inArray(requests.status, ["completed", "refused", "cancelled", "duplicate"]),
        // A restriction in force (Art. 18) is lifted through the gathered record pointers: kept until it is lifted.
        notExists(db.select({ id: restrictions.id }).from(restrictions).where(and(eq(restrictions.requestId, requests.id), isNull(restrictions.liftedAt)))),
      ),
    );
  let purged = 0;
  for (const { id, reference } of closed) {
    // Still holding copies once this transaction holds the request's row: two sweeps purge and audit once.
    const won = await withTx(db, async (tx) => {
      await forUpdate(tx, tx.select({ id: requests.id }).from(requests).where(eq(requests.id, id)));
      if (!(await first(tx.select({ id: gatheredItems.id }).from(gatheredItems).where(eq(gatheredItems.requestId, id))))) return false;
      await purgeRequest(tx, id);
      await audit.append(tx, { actor: { kind: "system" }, action: "erasure.copies_purged", reference, details: { copies: "gathered", reason: "retention", retentionDays: env().GATHER_RETENTION_DAYS }, at: now });
      return true;
    });
    if (!won) continue;
    await discardBlobs({ prefixes: [gatheredPrefix(id)] });
    purged++;
  }
  return purged;
}
