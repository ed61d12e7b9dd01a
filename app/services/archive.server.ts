import { and, eq } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { renameSync, rmSync } from "node:fs";
import { blobKeyOf, blobStore } from "../utils/blob-store.server";
import path from "node:path";
import type { Transform } from "node:stream";
import { gatheredItems } from "../../db/schema/gather";
import { requests } from "../../db/schema/requests";
import type { Registry } from "../connectors/registry";
import { brand } from "../../emails/layout";
import { archiveLetter, noDataLetter, operationsPage } from "../../documents/archive-letter";
import { READABLE_FOLDERS, readablePage, spreadsheetRows, type ReadableDataset } from "../../documents/archive-pages";
import { organisation } from "../utils/organisation.server";
import { proofRetention, searchReport } from "./answers.server";
import { gatherTimes } from "./gather.server";
import type { Connector, FieldValue, PortabilityCategory } from "../connectors/types";
import type { Locale } from "../../db/schema/enums";
import type { Db } from "../utils/db.server";
import { isFormulaLike } from "../utils/csv";
import { ArchiveBuildError, csvTable, headerOf, jsonArray, openZip, textStream, type Finished } from "./archive-zip.server";
import * as audit from "./audit.server";
import type { Actor } from "./context";
import { DomainError } from "./errors";
import { holdFor, released } from "./referrals.server";
import { readGathered, type StoredAnomaly, type StoredFile, type StoredRecord } from "./gather-store.server";
import { art15InformationFor, registerDatasetId } from "./register.server";
import { clientByAlias } from "./recipients.server";
import { applyWithholdings, approvedWithholdings } from "./withholdings.server";
import { first, withTx } from "../utils/db.server";

/**
 * The access (Art. 15) and portability (Art. 20) archives: one ZIP streamed
 * to disk from what a gather stored, never held whole in memory — audio goes
 * from its decrypting stream straight into the zip, JSON and CSV are written
 * record by record. Layout (DESIGN.md, "Archive and delivery"):
 *
 *   LISEZ-MOI.html                  cover letter, in the request's language (documents/archive-letter.ts)
 *   lire/<connector>-<dataset>.html the readable copy: labels, values in words (documents/archive-pages.ts);
 *   lire/traitements.html           the register's details (access); "read/…" in English
 *   tableur/<connector>-<dataset>.csv  the same table for a spreadsheet in that language (ADR 0015);
 *                                   "spreadsheet/…" in English
 *   data/<connector>/<dataset>.json array of the records' fields, as the systems hold them
 *   data/<connector>/<dataset>.csv  the same, UTF-8 with BOM, RFC 4180
 *   recordings/<name>               original audio bytes, stored as they are
 *   manifest.json                   every other entry with size and SHA-256,
 *                                   plus the values we could not read
 *
 * The zip is written under a temporary name next to `out` and renamed when
 * complete, or put in the blob store (which keeps all or nothing): a failure
 * never leaves a half-written archive behind. This
 * module decides what goes in; archive-zip.server.ts writes it, documents/
 * words it, the register names the datasets, the gather service says when
 * each connector's search ended, and the caller passes the connectors.
 */

export type ArchiveKind = "access" | "portability";

export { ArchiveBuildError };

export type ManifestEntry = {
  path: string;
  size: number;
  sha256: string;
  contentType: string;
  /** null for the cover letter, which no connector produced */
  connector: string | null;
  dataset: string | null;
  gatheredAt: string | null;
  /** data files: how many records they hold */
  records?: number;
  /** audio: the key of the record the file belongs to (its `audio` field names the file) */
  record?: string;
};

export type ManifestAnomaly = {
  connector: string;
  dataset: string;
  record: string;
  field: string;
  raw: string;
  expected: string;
  /** "ambiguous": a date whose day and month could be swapped, with each valid reading */
  kind?: "unreadable" | "ambiguous";
  readings?: { format: string; value: string }[];
  /** the reading staff chose, which the data files carry, and when */
  resolved?: { format: string; value: string; decidedAt: string };
};

/** A gathered anomaly as the manifest lists it (the data files already carry a resolved date). */
function manifestAnomaly(a: StoredAnomaly): ManifestAnomaly {
  const { connectorId, key, dataset, field, raw, expected, kind, readings, resolved } = a;
  return { connector: connectorId, dataset, record: key, field, raw, expected, ...(kind && { kind }), ...(readings && { readings }), ...(resolved && { resolved }) };
}

export type Manifest = {
  reference: string;
  kind: ArchiveKind;
  generatedAt: string;
  files: ManifestEntry[];
  anomalies: ManifestAnomaly[];
};

export type BuiltArchive = {
  path: string;
  /** size of the zip */
  bytes: number;
  /** SHA-256 of the zip, hex, when asked for (`hashZip`) */
  sha256?: string;
  /**
   * SHA-256 of manifest.json, hex: since the manifest gives every other
   * entry's SHA-256, this one value identifies the archive's whole content
   * (what delivery records; ADR 0008)
   */
  manifestSha256: string;
  /** entries in the zip, manifest.json included */
  files: number;
  /** what manifest.json lists (every entry but itself) */
  entries: ManifestEntry[];
};

// ---------------------------------------------------------------------------
// Entry names

/**
 * One path segment that every unzip tool accepts the same way: ASCII letters,
 * digits, dot, dash and underscore; no leading dot (so never "." or ".."),
 * never empty, never long.
 */
export function safePathSegment(raw: string): string {
  const ascii = raw
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[.-]+|-+$/g, "")
    .slice(0, 100);
  return ascii || "item";
}

/** Keeps every entry name unique: "x.wav", "x-2.wav", … */
function uniqueNames() {
  const taken = new Set<string>();
  return (wanted: string) => {
    const ext = path.posix.extname(wanted);
    const stem = wanted.slice(0, wanted.length - ext.length);
    let name = wanted;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${stem}-${n}${ext}`;
    taken.add(name.toLowerCase());
    return name;
  };
}

// ---------------------------------------------------------------------------
// What goes in

type DatasetGroup = { connectorId: string; dataset: string; rows: Record<string, FieldValue>[]; json: string; csv: string };
type PlannedFile = { file: StoredFile; path: string; audio: boolean };
type Content = { groups: DatasetGroup[]; files: PlannedFile[]; anomalies: ManifestAnomaly[] };

const recordId = (connectorId: string, dataset: string, key: string) => `${connectorId}\u0000${dataset}\u0000${key}`;

/** A record's portability subset: its own declaration, or (gathered before records had one) the fields the person provided. */
function portabilityOf(r: StoredRecord): Record<string, PortabilityCategory> {
  return r.portability ?? Object.fromEntries(r.providedBySubject.map((name) => [name, "provided" as const]));
}

/**
 * The fields of a record that go in the portability archive: provided,
 * observed, and the context that explains them, in the record's own order.
 * Null when nothing of the person's is left: context alone (a question
 * without its answer) says nothing about them.
 */
export function portableFields(r: StoredRecord): Record<string, FieldValue> | null {
  const categories = portabilityOf(r);
  const names = Object.keys(r.fields).filter((name) => Object.hasOwn(categories, name));
  if (!names.some((name) => categories[name] !== "context")) return null;
  return Object.fromEntries(names.map((name) => [name, r.fields[name]!]));
}

/**
 * Access: everything gathered. Portability (Art. 20 as WP242 reads it): the
 * fields each record declares provided by the person or observed about them,
 * with the context needed to understand them (an answer's question) — never
 * what our staff created or inferred (records left with nothing are dropped);
 * and a file only when its record kept a field naming it — that is how the
 * recordings connector's VOICE_IN_PORTABILITY decision reaches the archive
 * (it lists `audio` as provided, or not), through the shared key.
 */
function selectContent(gathered: Awaited<ReturnType<typeof readGathered>>, kind: ArchiveKind): Content {
  const kept = new Map<string, { record: StoredRecord; fields: Record<string, FieldValue> }>();
  for (const r of gathered.records) {
    const fields = kind === "access" ? r.fields : portableFields(r);
    if (!fields || Object.keys(fields).length === 0) continue;
    kept.set(recordId(r.connectorId, r.dataset, r.key), { record: r, fields });
  }

  const name = uniqueNames();
  const groups = new Map<string, DatasetGroup>();
  for (const { record, fields } of kept.values()) {
    const id = `${record.connectorId}\u0000${record.dataset}`;
    let g = groups.get(id);
    if (!g) {
      const base = name(`data/${safePathSegment(record.connectorId)}/${safePathSegment(record.dataset)}`);
      groups.set(id, (g = { connectorId: record.connectorId, dataset: record.dataset, rows: [], json: `${base}.json`, csv: `${base}.csv` }));
    }
    g.rows.push(fields);
  }

  const files: PlannedFile[] = [];
  for (const file of gathered.files) {
    const owner = kept.get(recordId(file.connectorId, file.dataset, file.key));
    if (kind === "portability" && !(owner && Object.values(owner.fields).includes(file.name))) continue;
    const audio = file.contentType.startsWith("audio/");
    const base = safePathSegment(path.basename(file.name));
    files.push({ file, audio, path: name(audio ? `recordings/${base}` : `files/${safePathSegment(file.connectorId)}/${base}`) });
  }

  const anomalies = gathered.anomalies
    .filter((a) => {
      if (kind === "access") return true;
      const owner = kept.get(recordId(a.connectorId, a.dataset, a.key));
      return owner !== undefined && a.field in owner.fields;
    })
    .map(manifestAnomaly);

  return { groups: [...groups.values()], files, anomalies };
}

/**
 * The readable copy's entries for each dataset (lire/<connector>-<dataset>.html
 * and tableur/….csv, folder names in the reader's language), with the
 * connector's titles and labels, and each audio file's entry for its link.
 */
function readableCopy(content: Content, locale: Locale, connector: (id: string) => Pick<Connector, "label" | "presentation"> | undefined, gatheredAt: Map<string, string>): ReadableDataset[] {
  const folders = READABLE_FOLDERS[locale];
  const name = uniqueNames();
  return content.groups.map((g) => {
    const base = name(`${safePathSegment(g.connectorId)}-${safePathSegment(g.dataset)}`);
    const c = connector(g.connectorId);
    return {
      source: c?.label ?? g.connectorId,
      dataset: g.dataset,
      presentation: c?.presentation?.[g.dataset],
      fields: headerOf(g.rows),
      rows: g.rows,
      gatheredAt: gatheredAt.get(g.connectorId) ?? null,
      page: `${folders.pages}/${base}.html`,
      spreadsheet: `${folders.spreadsheets}/${base}.csv`,
      json: g.json,
      csv: g.csv,
      files: new Map(content.files.filter((f) => f.file.connectorId === g.connectorId && f.file.dataset === g.dataset).map((f) => [f.file.name, f.path])),
    };
  });
}

// ---------------------------------------------------------------------------
// Who received the data (the letters' templates live in documents/)

/** The companies named on the person's records (their recipient), by register dataset: who actually received their data. */
async function recipientsByDataset(db: Db, records: { connectorId: string; dataset: string; recipient?: string }[], kindOf: (connectorId: string) => string | undefined): Promise<Map<string, string[]>> {
  const clientOf = await clientByAlias(db);
  const out = new Map<string, Set<string>>();
  for (const r of records) {
    if (!r.recipient) continue;
    const k = kindOf(r.connectorId);
    if (!k) continue;
    // A value the register does not know is still a company the data went to: named as the system names it.
    const name = clientOf(r.recipient)?.name ?? r.recipient;
    const id = registerDatasetId(k, r.dataset);
    (out.get(id) ?? out.set(id, new Set()).get(id)!).add(name);
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort((a, b) => a.localeCompare(b, "fr"))]));
}

// ---------------------------------------------------------------------------
// The build

/**
 * Every gathered file is checked before anything is written: a blob that is
 * gone fails the build at once with a clear reason, not halfway through the
 * zip (open() also reports it, on its stream, and the idle timeout in
 * openZip covers a source that stops).
 */
async function requireGatheredFiles(db: Db, requestId: number) {
  const stored = await db
    .select({ filePath: gatheredItems.filePath })
    .from(gatheredItems)
    .where(and(eq(gatheredItems.requestId, requestId), eq(gatheredItems.kind, "file")));
  const store = blobStore();
  for (const f of stored) if (!f.filePath || !(await store.exists(blobKeyOf(f.filePath)))) throw new ArchiveBuildError("source_unreadable");
}

const CONTENT_TYPES = { json: "application/json", csv: "text/csv; charset=utf-8", html: "text/html; charset=utf-8" };

export async function buildArchive(input: {
  db: Db;
  requestId: number;
  kind: ArchiveKind;
  /**
   * where the zip goes: a file (an existing one there is replaced, atomically,
   * only once the new one is complete), or a key of the blob store (ADR 0021)
   */
  out: string | { blob: string };
  now: Date;
  /** who asked for it, for the audit trail (a worker by default) */
  actor?: Actor;
  /** the connectors, for their kind and label (callers pass app/utils/connectors.server.ts's connectors()) */
  registry: Pick<Registry, "get">;
  /** a gathered file that yields nothing for this long fails the build (default 60 s) */
  idleTimeoutMs?: number;
  /** a cipher the zip goes through on its way to `out` (delivery encrypts at rest) */
  seal?: Transform;
  /** also hash the whole zip (a second pass over every byte; the CLI prints it) */
  hashZip?: boolean;
}): Promise<BuiltArchive> {
  const { db, requestId, kind, out, now, registry } = input;
  const request = await first(db.select().from(requests).where(eq(requests.id, requestId)));
  if (!request) throw new DomainError("not_found", { what: "request" });
  const gatheredAt = await gatherTimes(db, requestId);
  const report = await searchReport(db, request, registry);

  await requireGatheredFiles(db, requestId);
  const kindOf = (connectorId: string) => registry.get(connectorId)?.kind;
  // Data held for a client (as its processor) goes in only on that client's instruction; the letter says who answers for it.
  const hold = await holdFor(db, requestId, "export", kindOf);
  // What was gathered is read once and let go: only the selected content and who the records went to live on through the zip.
  const { content, concerned, withheld } = await (async () => {
    // Items the DPO approved keeping out (ADR 0016) are gone before anything selects from the gathered copy.
    const { gathered, applied } = applyWithholdings(await readGathered(db, requestId), await approvedWithholdings(db, requestId, kind), kind);
    return {
      withheld: applied,
      content: selectContent({ ...gathered, records: released(gathered.records, hold), files: released(gathered.files, hold), anomalies: released(gathered.anomalies, hold), matches: released(gathered.matches, hold) }, kind),
      concerned: kind === "access" ? (await recipientsByDataset(db, gathered.records, kindOf)) : new Map<string, string[]>(),
    };
  })();
  const datasetIds = [...content.groups, ...content.files.map((f) => f.file)].map((g) => {
    const k = kindOf(g.connectorId);
    return k ? registerDatasetId(k, g.dataset) : null;
  });

  // The readable copy, in the request's language: one page and one spreadsheet per dataset (documents/).
  const locale = request.locale;
  const readable = readableCopy(content, locale, (connectorId) => registry.get(connectorId), gatheredAt);
  const operationsEntry = kind === "access" ? `${READABLE_FOLDERS[locale].pages}/${locale === "fr" ? "traitements" : "processing"}.html` : null;
  const audio = content.files.filter((f) => f.audio).length;

  // Held nowhere: the letter says so, with where we looked, and claims no copy of anything.
  const held = content.groups.length > 0 || content.files.length > 0 || hold.parts.length > 0 || withheld.length > 0;
  const facts = {
    kind,
    locale,
    reference: request.reference,
    generatedAt: now,
    brand: brand(),
    dpoEmail: organisation().dpo.email,
    datasets: readable,
    audio,
    otherFiles: content.files.length - audio,
    operationsPage: operationsEntry,
    operations: kind === "access" ? (await art15InformationFor(db, datasetIds)) : [],
    concerned,
    // Resolved dates were read (as staff chose): the letter counts what is still unread.
    anomalies: content.anomalies.filter((a) => !a.resolved).length,
    csvApostrophes: content.groups.some((g) => g.rows.some((row) => Object.entries(row).some(([name, value]) => isFormulaLike(name) || isFormulaLike(value)))),
    report,
    controllers: hold.parts,
    withheld: withheld.map((w) => ({ ...w, system: registry.get(w.connectorId)?.label ?? w.connectorId })),
  };
  const letter = held
    ? archiveLetter(facts)
    : noDataLetter({ reference: request.reference, rights: request.rights, locale, report, proofRetention: await proofRetention(db, locale), generatedAt: now });

  const blob = typeof out === "string" ? undefined : out.blob;
  const tmp = typeof out === "string" ? path.join(path.dirname(out), `.${path.basename(out)}.${randomBytes(6).toString("hex")}.part`) : undefined;
  const zip = openZip(blob !== undefined ? (stream) => blobStore().put(blob, stream) : tmp!, now, input.idleTimeoutMs ?? 60_000, { seal: input.seal, hashZip: input.hashZip });
  const entries: ManifestEntry[] = [];
  let result: Finished;
  let manifestSha256 = "";
  try {
    const letterWritten = await zip.add("LISEZ-MOI.html", textStream([letter]));
    entries.push({ path: "LISEZ-MOI.html", ...letterWritten, contentType: CONTENT_TYPES.html, connector: null, dataset: null, gatheredAt: null });
    if (held && operationsEntry) {
      const written = await zip.add(operationsEntry, textStream([operationsPage(facts)]));
      entries.push({ path: operationsEntry, ...written, contentType: CONTENT_TYPES.html, connector: null, dataset: null, gatheredAt: null });
    }

    for (const [i, g] of content.groups.entries()) {
      const meta = { connector: g.connectorId, dataset: g.dataset, gatheredAt: gatheredAt.get(g.connectorId) ?? null, records: g.rows.length };
      entries.push({ path: g.json, ...(await zip.add(g.json, textStream(jsonArray(g.rows)))), contentType: CONTENT_TYPES.json, ...meta });
      entries.push({ path: g.csv, ...(await zip.add(g.csv, textStream(csvTable(g.rows)))), contentType: CONTENT_TYPES.csv, ...meta });
      const r = readable[i]!;
      entries.push({ path: r.page, ...(await zip.add(r.page, textStream(readablePage(r, { locale, reference: request.reference, brand: facts.brand })))), contentType: CONTENT_TYPES.html, ...meta });
      entries.push({ path: r.spreadsheet, ...(await zip.add(r.spreadsheet, textStream(spreadsheetRows(r, locale)))), contentType: CONTENT_TYPES.csv, ...meta });
    }

    for (const { file, path: name, audio: isAudio } of content.files) {
      // Audio is already compressed (or compresses badly): stored as is, and the bytes stay the original's.
      // Its SHA-256 was taken as it was gathered; AES-GCM refuses any other bytes (a failed tag is a
      // source error), so the manifest can give that hash without computing it again.
      const written = await zip.add(name, file.open(), { store: isAudio, sha256: file.sha256 || undefined });
      if (written.size !== file.size) throw new ArchiveBuildError("integrity");
      entries.push({ path: name, ...written, contentType: file.contentType, connector: file.connectorId, dataset: file.dataset, gatheredAt: gatheredAt.get(file.connectorId) ?? null, record: file.key });
    }

    const manifest: Manifest = { reference: request.reference, kind, generatedAt: now.toISOString(), files: entries, anomalies: content.anomalies };
    manifestSha256 = (await zip.add("manifest.json", textStream([`${JSON.stringify(manifest, null, 2)}\n`]))).sha256;
    result = await zip.finish();
    if (tmp) renameSync(tmp, out as string);
  } catch (error) {
    await zip.abort().catch(() => {});
    if (tmp) rmSync(tmp, { force: true });
    if (error instanceof ArchiveBuildError) throw error;
    throw new ArchiveBuildError("write_failed", { cause: error });
  }

  const files = entries.length + 1;
  try {
    await withTx(db, async (tx) => {
      await audit.append(tx, { actor: input.actor ?? { kind: "system" }, action: "archive.built", reference: request.reference, details: { kind, files, bytes: result.size }, at: now });
    });
  } catch (error) {
    // An archive nobody can account for is not handed over.
    if (blob !== undefined) await blobStore().delete(blob).catch(() => {});
    else rmSync(out as string, { force: true });
    throw error;
  }
  return { path: blob ?? (out as string), bytes: result.size, sha256: result.sha256, manifestSha256, files, entries };
}
