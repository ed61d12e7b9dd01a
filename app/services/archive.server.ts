import archiver from "archiver";
import { and, eq } from "drizzle-orm";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, existsSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { gatheredItems } from "../../db/schema/gather";
import { processingOperations } from "../../db/schema/register";
import { requests, type RequestRow } from "../../db/schema/requests";
import type { Registry } from "../connectors/registry";
import { formatLocalDate, formatParisDate } from "../i18n";
import { identifierLines, noDataAnswer, systemLines, type SearchReport } from "../../emails/answers";
import { brand, letterHtml } from "../../emails/layout";
import { proofRetention, searchReport } from "./answers.server";
import { requireAnswerable } from "./gather.server";
import type { FieldValue, PortabilityCategory } from "../connectors/types";
import type { Db, DbOrTx } from "../utils/db.server";
import { csvText, isFormulaLike } from "../utils/csv";
import { useNativeZipCrc } from "../utils/zip-crc.server";
import * as audit from "./audit.server";
import type { Actor } from "./context";
import { DomainError } from "./errors";
import { controllerPartText, type ControllerPart } from "../../emails/referrals";
import { holdFor, released } from "./referrals.server";
import { readGathered, type StoredAnomaly, type StoredFile, type StoredRecord } from "./gather-store.server";
import { art15Information, type Art15Entry } from "./register.server";
import { clientByAlias } from "./recipients.server";
import { applyWithholdings, approvedWithholdings } from "./withholdings.server";
import { withheldSection, type WithheldItem } from "../../emails/withholdings";

/**
 * The access (Art. 15) and portability (Art. 20) archives: one ZIP streamed
 * to disk from what a gather stored, never held whole in memory — audio goes
 * from its decrypting stream straight into the zip, JSON and CSV are written
 * record by record. Layout (DESIGN.md, "Archive and delivery"):
 *
 *   LISEZ-MOI.html                  cover letter (French, then English)
 *   data/<connector>/<dataset>.json array of the records' fields
 *   data/<connector>/<dataset>.csv  the same, UTF-8 with BOM, RFC 4180
 *   recordings/<name>               original audio bytes, stored as they are
 *   manifest.json                   every other entry with size and SHA-256,
 *                                   plus the values we could not read
 *
 * The zip is written under a temporary name next to `out` and renamed when
 * complete: a failure never leaves a half-written archive behind.
 */

export type ArchiveKind = "access" | "portability";

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

/** The archive could not be written; nothing is left at `out`. */
export class ArchiveBuildError extends Error {
  constructor(
    /**
     * write_failed: the disk or the zip writer failed; source_unreadable: a
     * gathered file could not be read back (missing, or failing its
     * authentication tag); integrity: it read back with another size or hash
     * than when it was gathered.
     */
    public readonly code: "write_failed" | "source_unreadable" | "integrity",
    options?: { cause?: unknown },
  ) {
    super(`archive ${code}`, options);
    this.name = "ArchiveBuildError";
  }
}

// ---------------------------------------------------------------------------
// Register mapping

/**
 * Connector kind + dataset → the dataset ids the processing register names
 * (db/seed-register.ts). Written out rather than derived: the recordings
 * connector calls its only dataset "recordings" while the register, written
 * from the DPO's point of view, calls it "recordings:calls". Any other pair
 * falls back to "<kind>:<dataset>", the register's own convention.
 */
const REGISTER_DATASETS: Record<string, string> = {
  "sql-survey:respondents": "sql-survey:respondents",
  "sql-survey:answers": "sql-survey:answers",
  "recordings:recordings": "recordings:calls",
  "crm-http:contacts": "crm-http:contacts",
  "crm-http:interactions": "crm-http:interactions",
};

export function registerDatasetId(connectorKind: string, dataset: string): string {
  const id = `${connectorKind}:${dataset}`;
  return REGISTER_DATASETS[id] ?? id;
}

/**
 * The register's operations for the datasets that hold this person's data.
 * If a dataset with data is missing from the register (a connector added
 * without updating it, or removed from the configuration since the gather),
 * the whole register is given: telling the person too much about our
 * processing is a smaller fault than leaving out the operation their data
 * is in.
 */
function operationsFor(db: Db, datasetIds: (string | null)[]): Art15Entry[] {
  const known = new Set(db.select({ datasets: processingOperations.datasets }).from(processingOperations).all().flatMap((r) => r.datasets));
  if (datasetIds.some((id) => id === null || !known.has(id))) return art15Information(db);
  return art15Information(db, datasetIds as string[]);
}

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
function selectContent(gathered: ReturnType<typeof readGathered>, kind: ArchiveKind): Content {
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

// ---------------------------------------------------------------------------
// JSON and CSV, written record by record

/** Joins small strings into ~64 KiB buffers: fewer, larger writes into the deflater. */
function textStream(parts: Iterable<string>): Readable {
  return Readable.from(
    (function* () {
      let pending = "";
      for (const part of parts) {
        pending += part;
        if (pending.length >= 65_536) {
          yield Buffer.from(pending, "utf8");
          pending = "";
        }
      }
      if (pending) yield Buffer.from(pending, "utf8");
    })(),
  );
}

function* jsonArray(rows: Record<string, FieldValue>[]) {
  yield "[";
  for (let i = 0; i < rows.length; i++) yield `${i ? "," : ""}\n  ${JSON.stringify(rows[i])}`;
  yield "\n]\n";
}

/**
 * BOM first so spreadsheet software reads UTF-8 (accents, "€"); CRLF line
 * ends; the header is every field name in the order first met. The values
 * come from systems anyone can write to (a survey answer, a CRM note): a cell
 * that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets
 * a leading apostrophe, as OWASP recommends. That changes what the person
 * reads (a phone number starts with "+"), so the cover letter says so, and
 * the JSON beside it keeps the exact values.
 */
function* csvTable(rows: Record<string, FieldValue>[]) {
  const header: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const name of Object.keys(row)) {
      if (seen.has(name)) continue;
      seen.add(name);
      header.push(name);
    }
  }
  yield `\uFEFF${header.map(csvText).join(",")}\r\n`;
  for (const row of rows) yield `${header.map((h) => csvText(row[h])).join(",")}\r\n`;
}

// ---------------------------------------------------------------------------
// The zip writer

type Written = { size: number; sha256: string };
type Finished = { size: number; sha256?: string };

/**
 * archiver with the three things it leaves to the caller: knowing when an
 * entry is fully written (so entries are added one at a time and only one
 * source is open), hashing what goes in, and turning any failure — ours,
 * archiver's, the disk's, a decrypting stream's — into one rejection.
 *
 * The streamed ZIP writer behind buildArchive (also timed as-is by `npm run
 * bench`). Per byte of a stored entry it does what the format needs (a
 * CRC-32, native: see zip-crc.server.ts) and a SHA-256 only where the hash
 * is not already known; `seal` (a cipher) sits between the zip and the
 * disk, so an archive is never written in clear. finish() gives the zip's
 * size and, with `hashZip`, its SHA-256 (before sealing): a second pass over
 * every byte, only worth it where someone will compare it with a file (the
 * CLI); the manifest's hash already commits to every entry (ADR 0008).
 */
/** Stream buffer and read size: large enough that reading, CRC, ciphers and writing each run on big blocks. */
const CHUNK = 1 << 20;

export function openZip(file: string, date: Date, idleTimeoutMs: number, opts: { seal?: Transform; hashZip?: boolean } = {}) {
  useNativeZipCrc();
  const archive = archiver("zip", { zlib: { level: 6 }, highWaterMark: CHUNK });
  const output = createWriteStream(file, { flags: "wx", mode: 0o600, highWaterMark: 2 * CHUNK });
  const whole = opts.hashZip ? createHash("sha256") : undefined;
  let bytes = 0;
  let current: Readable | undefined;

  let fail!: (error: unknown) => void;
  const failure = new Promise<never>((_, reject) => (fail = reject));
  failure.catch(() => {}); // observed through the races below
  // A warning means archiver skipped something: an archive missing an entry is not an answer to the request.
  archive.on("warning", fail);
  archive.on("error", fail);
  output.on("error", fail);
  opts.seal?.on("error", fail);

  const counter = new Transform({
    highWaterMark: CHUNK,
    transform(chunk: Buffer, _enc, cb) {
      whole?.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  if (opts.seal) archive.pipe(counter).pipe(opts.seal).pipe(output);
  else archive.pipe(counter).pipe(output);

  return {
    /**
     * Adds one entry and resolves once it is written. With `sha256` (the hash
     * recorded when the bytes were first stored, and a source that
     * authenticates them, as the gather store's AES-GCM does) the bytes are
     * only counted, not hashed again.
     */
    async add(name: string, source: Readable, opts: { store?: boolean; sha256?: string } = {}): Promise<Written> {
      const hash = opts.sha256 ? undefined : createHash("sha256");
      let size = 0;
      // A source that stops without ending or failing would hang the build (see requireGatheredFiles).
      const idle = setTimeout(() => fail(new ArchiveBuildError("source_unreadable", { cause: new Error(`no data for ${idleTimeoutMs} ms`) })), idleTimeoutMs);
      const tap = new Transform({
        highWaterMark: CHUNK,
        transform(chunk: Buffer, _enc, cb) {
          idle.refresh();
          hash?.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      });
      // archiver re-pipes sources through its own PassThrough, so their errors would never reach it.
      source.once("error", (error) => fail(new ArchiveBuildError("source_unreadable", { cause: error })));
      current = source;
      const appended = new Promise<void>((resolve) => archive.once("entry", () => resolve()));
      archive.append(source.pipe(tap), { name, date, store: opts.store });
      try {
        await Promise.race([appended, failure]);
      } finally {
        clearTimeout(idle);
        current = undefined;
      }
      return { size, sha256: hash ? hash.digest("hex") : opts.sha256! };
    },

    async finish(): Promise<Finished> {
      const closed = new Promise<void>((resolve) => output.once("close", () => resolve()));
      await Promise.race([archive.finalize(), failure]);
      await Promise.race([closed, failure]);
      return { size: bytes, sha256: whole?.digest("hex") };
    },

    /** Stops everything; resolves once the file is closed, so it can be deleted. */
    async abort() {
      current?.destroy();
      archive.abort();
      opts.seal?.destroy();
      if (output.closed) return;
      await new Promise<void>((resolve) => {
        output.once("close", () => resolve());
        output.destroy();
      });
    },
  };
}

// ---------------------------------------------------------------------------
// Cover letters

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

type TocRow = { path: string; fr: string; en: string; count: number | null };
type Letter = {
  kind: ArchiveKind;
  reference: string;
  generatedAt: Date;
  toc: TocRow[];
  operations: Art15Entry[];
  /** Art. 15(1)(c), CJEU C-154/21: the companies this person's records actually went to, by register dataset */
  concerned: Map<string, string[]>;
  anomalies: number;
  audio: number;
  /** some CSV cell starts with an added apostrophe (`csvTable`) */
  csvApostrophes: boolean;
  /** where we searched, with what, and what each system answered */
  report: SearchReport | null;
  /** data held for a client as its processor: included on its instructions, or not, and who answers for it */
  controllers: ControllerPart[];
  /** items kept out on an approved ground (ADR 0016) */
  withheld: WithheldItem[];
};

/** Who answers for the data held for a client (Art. 28), said in both letters. */
function controllersBlock(parts: ControllerPart[], lang: "fr" | "en") {
  if (!parts.length) return "";
  const title = lang === "fr" ? "Données détenues pour le compte d'une autre entreprise" : "Data held on behalf of another company";
  return `<h2>${title}</h2>
${parts.map((p) => `<p data-controller-part="${esc(p.state)}">${esc(controllerPartText(p, lang, "copy"))}</p>`).join("\n")}`;
}

/** The search as the letter states it, in one language (lines from the emails' own wording). */
function searchBlock(report: SearchReport | null, lang: "fr" | "en") {
  if (!report) return "";
  const [title, intro, answered] =
    lang === "fr"
      ? ["Où nous avons cherché", `Le ${formatLocalDate(report.on, "fr")}, nous avons recherché vos données avec ces identifiants :`, "Ce que chaque système a répondu :"]
      : ["Where we searched", `On ${formatLocalDate(report.on, "en")} we searched for your data with these identifiers:`, "What each system answered:"];
  const ul = (lines: string[]) => `<ul>${lines.map((l) => `<li>${esc(l.replace(/^• /, ""))}</li>`).join("")}</ul>`;
  return `<h2>${title}</h2>
<p>${esc(intro)}</p>
${ul(identifierLines(report, lang))}
<p>${answered}</p>
${ul(systemLines(report, lang))}`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function tocTable(rows: TocRow[], lang: "fr" | "en") {
  const [caption, file, content, count] =
    lang === "fr" ? ["Contenu de l'archive", "Fichier", "Contenu", "Nombre"] : ["Contents of the archive", "File", "Contents", "Count"];
  const body = rows
    .map((r) => `<tr><td><code>${esc(r.path)}</code></td><td>${esc(lang === "fr" ? r.fr : r.en)}</td><td>${r.count ?? ""}</td></tr>`)
    .join("\n");
  return `<table>
<caption>${caption}</caption>
<thead><tr><th scope="col">${file}</th><th scope="col">${content}</th><th scope="col">${count}</th></tr></thead>
<tbody>
${body}
</tbody>
</table>`;
}

const list = (items: string[], attrs: string) => `<ul${attrs}>${items.map((i) => `<li>${esc(i)}</li>`).join("")}</ul>`;

/** The register's entries are written in French: in the English section they keep lang="fr". */
function operationsBlock(ops: Art15Entry[], concerned: Map<string, string[]>, lang: "fr" | "en") {
  const L =
    lang === "fr"
      ? {
          purpose: "Finalité — art. 15(1)(a)",
          basis: "Base légale",
          categories: "Catégories de données — art. 15(1)(b)",
          recipients: "Destinataires — art. 15(1)(c)",
          named: (names: string[]) => `Vos données de ce traitement ont été recueillies pour le compte de : ${names.join(", ")}. Ce qui en est communiqué à ${names.length > 1 ? "ces entreprises" : "cette entreprise"} est décrit ci-dessous.`,
          processors: "Sous-traitants (ils agissent sur nos instructions)",
          transfers: "Transferts hors de l'Union européenne — art. 15(2)",
          noTransfer: "Aucun : vos données de ce traitement restent dans l'Union européenne.",
          transfer: (t: Art15Entry["transfers"][number]) => `${t.recipient} — ${t.country} — garantie : ${t.safeguard}`,
          retention: "Durée de conservation — art. 15(1)(d)",
          source: "Source des données — art. 15(1)(g)",
        }
      : {
          purpose: "Purpose — Art. 15(1)(a)",
          basis: "Legal basis",
          categories: "Categories of data — Art. 15(1)(b)",
          recipients: "Recipients — Art. 15(1)(c)",
          named: (names: string[]) => `Your data in this processing was collected on behalf of: ${names.join(", ")}. What ${names.length > 1 ? "those companies receive" : "that company receives"} of it is described below.`,
          processors: "Processors (they act on our instructions)",
          transfers: "Transfers outside the European Union — Art. 15(2)",
          noTransfer: "None: your data in this processing stays in the European Union.",
          transfer: (t: Art15Entry["transfers"][number]) => `${t.recipient} — ${t.country} — safeguard: ${t.safeguard}`,
          retention: "Retention period — Art. 15(1)(d)",
          source: "Source of the data — Art. 15(1)(g)",
        };
  const fr = lang === "en" ? ' lang="fr"' : "";
  return ops
    .map((op) => {
      const names = [...new Set(op.datasets.flatMap((d) => concerned.get(d) ?? []))];
      return `<section>
<h3><span${fr}>${esc(op.name)}</span> (${esc(op.code)})</h3>
<dl>
<dt>${L.purpose}</dt><dd${fr}>${esc(op.purpose)}</dd>
<dt>${L.basis}</dt><dd${fr}>${esc(op.legalBasis)}</dd>
<dt>${L.categories}</dt><dd>${list(op.dataCategories, fr)}</dd>
<dt>${L.recipients}</dt><dd>${names.length ? `<p>${esc(L.named(names))}</p>` : ""}${list(op.recipients, fr)}</dd>
${op.processors.length ? `<dt>${L.processors}</dt><dd>${list(op.processors, fr)}</dd>` : ""}
<dt>${L.transfers}</dt><dd>${op.transfers.length ? list(op.transfers.map(L.transfer), fr) : esc(L.noTransfer)}</dd>
<dt>${L.retention}</dt><dd${fr}>${esc(op.retention)}</dd>
<dt>${L.source}</dt><dd${fr}>${esc(op.source)}</dd>
</dl>
</section>`;
    })
    .join("\n");
}

const CNIL_FR = `Vous pouvez introduire une réclamation auprès de la Commission nationale de l'informatique et des libertés (CNIL), 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07 — <a href="https://www.cnil.fr/fr/plaintes">www.cnil.fr/fr/plaintes</a>.`;
const CNIL_EN = `You may lodge a complaint with the French supervisory authority, the <span lang="fr">Commission nationale de l'informatique et des libertés</span> (CNIL), 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07 — <a href="https://www.cnil.fr/fr/plaintes" hreflang="fr">www.cnil.fr/fr/plaintes</a>.`;

/** The values we could not read, said once for both letters: listed raw in the manifest, never guessed. */
function anomaliesNote(n: number, lang: "fr" | "en") {
  if (!n) return "";
  return lang === "fr"
    ? `<p>${plural(n, "valeur n'a pas pu être lue", "valeurs n'ont pas pu être lues")} dans le format attendu (par exemple une date). Nous ne les avons pas devinées : elles figurent telles quelles, avec le format attendu, dans la liste <code>anomalies</code> du fichier <code>manifest.json</code>.</p>`
    : `<p>${plural(n, "value", "values")} could not be read in the expected format (a date, for instance). We did not guess them: they are listed as stored, with the expected format, under <code>anomalies</code> in <code>manifest.json</code>.</p>`;
}

/** Said only when it happened: which CSV cells were changed, and where the exact values are. */
function csvNote(shown: boolean, lang: "fr" | "en") {
  if (!shown) return "";
  return lang === "fr"
    ? `<p>Dans les fichiers CSV, une apostrophe (<code>'</code>) a été ajoutée au début des cellules qui commencent par <code>=</code>, <code>+</code>, <code>-</code> ou <code>@</code> (un numéro de téléphone comme +33…, par exemple), pour qu'un tableur les affiche au lieu de les exécuter comme des formules. Les fichiers JSON contiennent les valeurs exactes.</p>`
    : `<p>In the CSV files, an apostrophe (<code>'</code>) was added at the start of cells beginning with <code>=</code>, <code>+</code>, <code>-</code> or <code>@</code> (a phone number such as +33…, for instance), so that a spreadsheet shows them instead of running them as formulas. The JSON files hold the exact values.</p>`;
}

function accessBody(l: Letter) {
  const notesFr = anomaliesNote(l.anomalies, "fr") + csvNote(l.csvApostrophes, "fr");
  const notesEn = anomaliesNote(l.anomalies, "en") + csvNote(l.csvApostrophes, "en");
  return `<section lang="fr">
<h1>Votre demande d'accès à vos données personnelles</h1>
<p>Référence de la demande : <strong>${esc(l.reference)}</strong> — archive établie le ${esc(formatParisDate(l.generatedAt, "fr-FR"))}.</p>
<p>Conformément à l'article 15 du règlement général sur la protection des données (RGPD), vous trouverez dans cette archive une copie des données personnelles que ${esc(brand())} détient sur vous, dans des fichiers JSON et CSV (lisibles par un tableur)${l.audio ? ", ainsi que les enregistrements de vos appels dans leur format d'origine" : ""}. Le fichier <code>manifest.json</code> donne la taille et l'empreinte SHA-256 de chaque fichier.</p>
${notesFr}
${controllersBlock(l.controllers, "fr")}
${withheldSection(l.withheld, "fr", "access")}
${searchBlock(l.report, "fr")}
${tocTable(l.toc, "fr")}
<h2>Les traitements qui concernent vos données</h2>
<p>Les informations ci-dessous proviennent de notre registre des activités de traitement, pour les traitements dans lesquels figurent vos données et pour le traitement de votre demande.</p>
${operationsBlock(l.operations, l.concerned, "fr")}
<h2>Vos droits — art. 15(1)(e)</h2>
<p>Vous pouvez demander la rectification de données inexactes (art. 16), leur effacement (art. 17), la limitation de leur traitement (art. 18), vous opposer à leur traitement (art. 21) et recevoir les données que vous nous avez fournies dans un format réutilisable (art. 20). Il suffit de déposer une nouvelle demande sur notre portail ou auprès de nos équipes, en rappelant la référence ${esc(l.reference)}.</p>
<h2>Réclamation — art. 15(1)(f)</h2>
<p>${CNIL_FR}</p>
<h2>Décision automatisée — art. 15(1)(h)</h2>
<p>Aucune décision fondée exclusivement sur un traitement automatisé, y compris le profilage, n'est prise à votre égard.</p>
</section>
<hr>
<section lang="en">
<h1>Your request for access to your personal data</h1>
<p>Request reference: <strong>${esc(l.reference)}</strong> — archive prepared on ${esc(formatParisDate(l.generatedAt, "en-GB"))}.</p>
<p>Under Article 15 of the General Data Protection Regulation (GDPR), this archive holds a copy of the personal data ${esc(brand())} holds about you, as JSON and CSV files (CSV opens in a spreadsheet)${l.audio ? ", and the recordings of your calls in their original format" : ""}. <code>manifest.json</code> gives each file's size and SHA-256 fingerprint.</p>
${notesEn}
${controllersBlock(l.controllers, "en")}
${withheldSection(l.withheld, "en", "access")}
${searchBlock(l.report, "en")}
${tocTable(l.toc, "en")}
<h2>The processing your data is part of</h2>
<p>Taken from our record of processing activities, for the processing your data was found in and for the handling of your request. The record is kept in French and is quoted as written.</p>
${operationsBlock(l.operations, l.concerned, "en")}
<h2>Your rights — Art. 15(1)(e)</h2>
<p>You may ask for inaccurate data to be rectified (Art. 16), for your data to be erased (Art. 17), for its processing to be restricted (Art. 18), object to its processing (Art. 21), and receive the data you provided in a reusable format (Art. 20). File a new request on our portal or with our staff, quoting reference ${esc(l.reference)}.</p>
<h2>Complaint — Art. 15(1)(f)</h2>
<p>${CNIL_EN}</p>
<h2>Automated decision-making — Art. 15(1)(h)</h2>
<p>No decision based solely on automated processing, including profiling, is made about you.</p>
</section>`;
}

function portabilityBody(l: Letter) {
  const voiceFr = l.audio ? ", ainsi que votre voix : les enregistrements de vos appels, dans leur format audio d'origine" : "";
  const voiceEn = l.audio ? ", and your voice: the recordings of your calls, in their original audio format" : "";
  const notesFr = anomaliesNote(l.anomalies, "fr") + csvNote(l.csvApostrophes, "fr");
  const notesEn = anomaliesNote(l.anomalies, "en") + csvNote(l.csvApostrophes, "en");
  return `<section lang="fr">
<h1>Votre demande de portabilité de vos données</h1>
<p>Référence de la demande : <strong>${esc(l.reference)}</strong> — archive établie le ${esc(formatParisDate(l.generatedAt, "fr-FR"))}.</p>
<p>Conformément à l'article 20 du RGPD, cette archive contient les données personnelles que vous nous avez fournies, dans des formats structurés, couramment utilisés et lisibles par machine : JSON (UTF-8) et CSV (UTF-8, séparateur virgule). Vous pouvez les transmettre à un autre organisme. Le fichier <code>manifest.json</code> donne la taille et l'empreinte SHA-256 de chaque fichier.</p>
<h2>Ce que contient l'archive</h2>
<ul>
<li><strong>Ce que vous nous avez dit ou saisi</strong> : votre identité, vos coordonnées, vos réponses aux questionnaires${voiceFr}.</li>
<li><strong>Ce que nos systèmes ont enregistré de votre utilisation de nos services</strong>, que les lignes directrices européennes sur la portabilité (WP242) comptent parmi les données que vous avez fournies : pour vos appels enregistrés, la date, l'heure, la durée, les numéros, le centre d'appels et votre accord à l'enregistrement ; l'historique de vos échanges avec le service client (date et canal) ; la date, le canal et le centre de votre participation aux études.</li>
<li><strong>Ce qu'il faut pour les comprendre</strong> : avec chaque réponse, la question posée et la date de la réponse ; l'étude à laquelle vous avez répondu.</li>
</ul>
<p>Le tableau ci-dessous indique ce que nous détenons effectivement pour vous.</p>
${notesFr}
${controllersBlock(l.controllers, "fr")}
${withheldSection(l.withheld, "fr", "portability")}
${tocTable(l.toc, "fr")}
<h2>Ce qu'elle ne contient pas, et pourquoi</h2>
<p>Le droit à la portabilité porte sur les données que vous avez fournies, pas sur ce que nos équipes ont écrit ou déduit à votre sujet : les résumés et notes de nos conseillers après vos échanges, nos marqueurs internes (par exemple une limitation de traitement) et nos numéros de dossier n'y figurent donc pas. Les identifiants de nos salariés (le conseiller qui a pris votre appel) n'y figurent pas non plus : la portabilité ne doit pas porter atteinte aux droits d'autrui (article 20, paragraphe 4). Vous pouvez obtenir une copie de l'ensemble de vos données, y compris celles-ci, en exerçant votre droit d'accès (article 15).</p>
<p>${CNIL_FR}</p>
</section>
<hr>
<section lang="en">
<h1>Your data portability request</h1>
<p>Request reference: <strong>${esc(l.reference)}</strong> — archive prepared on ${esc(formatParisDate(l.generatedAt, "en-GB"))}.</p>
<p>Under Article 20 of the GDPR, this archive holds the personal data you provided to us, in structured, commonly used, machine-readable formats: JSON (UTF-8) and CSV (UTF-8, comma-separated). You may pass them on to another organisation. <code>manifest.json</code> gives each file's size and SHA-256 fingerprint.</p>
<h2>What the archive holds</h2>
<ul>
<li><strong>What you told us or typed in</strong>: your identity, your contact details, your survey answers${voiceEn}.</li>
<li><strong>What our systems recorded of your use of our services</strong>, which the European guidelines on portability (WP242) count as data you provided: for your recorded calls, the date, time, duration, numbers, call centre and your consent to the recording; the history of your contacts with customer service (date and channel); the date, channel and call centre of your survey interviews.</li>
<li><strong>What is needed to understand them</strong>: with each answer, the question asked and the date of the answer; the survey you answered.</li>
</ul>
<p>The table below shows what we actually hold for you.</p>
${notesEn}
${controllersBlock(l.controllers, "en")}
${withheldSection(l.withheld, "en", "portability")}
${tocTable(l.toc, "en")}
<h2>What it does not hold, and why</h2>
<p>The right to data portability covers the data you provided, not what our staff wrote or inferred about you: our agents' summaries and notes of your contacts, our internal markers (a restriction of processing, for instance) and our record numbers are therefore not included. Neither are our employees' identifiers (the agent who took your call): portability must not adversely affect the rights of others (Article 20(4)). You can obtain a copy of all your data, these included, through your right of access (Article 15).</p>
<p>${CNIL_EN}</p>
</section>`;
}

function coverLetter(l: Letter): string {
  const title = l.kind === "access" ? "Vos données personnelles — demande d'accès" : "Vos données personnelles — demande de portabilité";
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} — ${esc(l.reference)}</title>
<style>
body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
caption { text-align: left; font-weight: bold; }
th, td { border: 1px solid #767676; padding: .25rem .5rem; text-align: left; vertical-align: top; }
dt { font-weight: bold; margin-top: .5rem; }
</style>
</head>
<body>
<main>
${l.kind === "access" ? accessBody(l) : portabilityBody(l)}
</main>
</body>
</html>
`;
}

/** The archive of a person held nowhere: the no-data answer itself, as the letter in the zip. */
function noDataLetter(r: RequestRow, report: SearchReport, now: Date, retention: string) {
  return letterHtml(noDataAnswer({ reference: r.reference, rights: r.rights, report, proofRetention: retention }, r.locale), {
    reference: r.reference,
    date: formatParisDate(now, r.locale === "en" ? "en-GB" : "fr-FR"),
  });
}

/** The companies named on the person's records (their recipient), by register dataset: who actually received their data. */
function recipientsByDataset(db: Db, records: { connectorId: string; dataset: string; recipient?: string }[], kindOf: (connectorId: string) => string | undefined): Map<string, string[]> {
  const clientOf = clientByAlias(db);
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
 * When each connector's data was gathered. An answer built while a source is
 * still running, or was not searched or failed without the DPO recording why
 * the answer goes out all the same, would look complete and not be: refused.
 */
export function gatherTimes(db: DbOrTx, requestId: number): Map<string, string> {
  return new Map(requireAnswerable(db, requestId).map((j) => [j.connectorId, (j.finishedAt ?? j.queuedAt).toISOString()]));
}

/**
 * A gathered file's open() pipes a file stream into a decipher, and pipe()
 * does not forward the file stream's errors: opening a file that is gone
 * throws an unhandled 'error' (a process crash), not a rejection we could
 * catch. So every file is checked before anything is written; the idle
 * timeout in openZip covers the short window between this check and open().
 */
function requireGatheredFiles(db: Db, requestId: number) {
  const stored = db
    .select({ filePath: gatheredItems.filePath })
    .from(gatheredItems)
    .where(and(eq(gatheredItems.requestId, requestId), eq(gatheredItems.kind, "file")))
    .all();
  if (stored.some((f) => !f.filePath || !existsSync(f.filePath))) throw new ArchiveBuildError("source_unreadable");
}

const CONTENT_TYPES = { json: "application/json", csv: "text/csv; charset=utf-8", html: "text/html; charset=utf-8" };

export async function buildArchive(input: {
  db: Db;
  requestId: number;
  kind: ArchiveKind;
  /** where the zip goes; an existing file there is replaced, atomically, only once the new one is complete */
  out: string;
  now: Date;
  /** who asked for it, for the audit trail (a worker by default) */
  actor?: Actor;
  /** the connectors, for their kind and label (the configured ones by default) */
  registry?: Pick<Registry, "get">;
  /** a gathered file that yields nothing for this long fails the build (default 60 s) */
  idleTimeoutMs?: number;
  /** a cipher the zip goes through on its way to `out` (delivery encrypts at rest) */
  seal?: Transform;
  /** also hash the whole zip (a second pass over every byte; the CLI prints it) */
  hashZip?: boolean;
}): Promise<BuiltArchive> {
  const { db, requestId, kind, out, now } = input;
  const request = db.select().from(requests).where(eq(requests.id, requestId)).get();
  if (!request) throw new DomainError("not_found", { what: "request" });
  const gatheredAt = gatherTimes(db, requestId);
  // Loaded on demand: the connectors' drivers are not needed when the caller names them.
  const registry = input.registry ?? (await import("../utils/connectors.server")).connectors();
  const report = searchReport(db, request, registry);

  requireGatheredFiles(db, requestId);
  const kindOf = (connectorId: string) => registry.get(connectorId)?.kind;
  // Data held for a client (as its processor) goes in only on that client's instruction; the letter says who answers for it.
  const hold = holdFor(db, requestId, "export", kindOf);
  // What was gathered is read once and let go: only the selected content and who the records went to live on through the zip.
  const { content, concerned, withheld } = (() => {
    // Items the DPO approved keeping out (ADR 0016) are gone before anything selects from the gathered copy.
    const { gathered, applied } = applyWithholdings(readGathered(db, requestId), approvedWithholdings(db, requestId, kind), kind);
    return {
      withheld: applied,
      content: selectContent({ ...gathered, records: released(gathered.records, hold), files: released(gathered.files, hold), anomalies: released(gathered.anomalies, hold), matches: released(gathered.matches, hold) }, kind),
      concerned: kind === "access" ? recipientsByDataset(db, gathered.records, kindOf) : new Map<string, string[]>(),
    };
  })();
  const labelOf = (connectorId: string) => registry.get(connectorId)?.label ?? connectorId;
  const datasetIds = [...content.groups, ...content.files.map((f) => f.file)].map((g) => {
    const k = kindOf(g.connectorId);
    return k ? registerDatasetId(k, g.dataset) : null;
  });

  const toc: TocRow[] = [
    { path: "LISEZ-MOI.html", fr: "Cette lettre", en: "This letter", count: null },
    { path: "manifest.json", fr: "Liste des fichiers (taille, empreinte SHA-256) et des valeurs illisibles", en: "List of files (size, SHA-256) and of unreadable values", count: content.files.length + content.groups.length * 2 + 1 },
    ...content.groups.flatMap((g) => [
      { path: g.json, fr: `${labelOf(g.connectorId)} — ${g.dataset} (JSON)`, en: `${labelOf(g.connectorId)} — ${g.dataset} (JSON)`, count: g.rows.length },
      { path: g.csv, fr: `${labelOf(g.connectorId)} — ${g.dataset} (CSV)`, en: `${labelOf(g.connectorId)} — ${g.dataset} (CSV)`, count: g.rows.length },
    ]),
  ];
  const audio = content.files.filter((f) => f.audio).length;
  if (audio) toc.push({ path: "recordings/", fr: "Enregistrements d'appels (audio d'origine)", en: "Call recordings (original audio)", count: audio });
  const others = content.files.length - audio;
  if (others) toc.push({ path: "files/", fr: "Autres fichiers", en: "Other files", count: others });

  // Held nowhere: the letter says so, with where we looked, and claims no copy of anything.
  const held = content.groups.length > 0 || content.files.length > 0 || hold.parts.length > 0 || withheld.length > 0;
  const letter = held
    ? coverLetter({
        kind,
        reference: request.reference,
        generatedAt: now,
        toc,
        operations: kind === "access" ? operationsFor(db, datasetIds) : [],
        concerned,
        // Resolved dates were read (as staff chose): the letter counts what is still unread.
        anomalies: content.anomalies.filter((a) => !a.resolved).length,
        audio,
        csvApostrophes: content.groups.some((g) => g.rows.some((row) => Object.entries(row).some(([name, value]) => isFormulaLike(name) || isFormulaLike(value)))),
        report,
        controllers: hold.parts,
        withheld: withheld.map((w) => ({ ...w, system: labelOf(w.connectorId) })),
      })
    : noDataLetter(request, report, now, proofRetention(db, request.locale));

  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.${randomBytes(6).toString("hex")}.part`);
  const zip = openZip(tmp, now, input.idleTimeoutMs ?? 60_000, { seal: input.seal, hashZip: input.hashZip });
  const entries: ManifestEntry[] = [];
  let result: Finished;
  let manifestSha256 = "";
  try {
    const letterWritten = await zip.add("LISEZ-MOI.html", textStream([letter]));
    entries.push({ path: "LISEZ-MOI.html", ...letterWritten, contentType: CONTENT_TYPES.html, connector: null, dataset: null, gatheredAt: null });

    for (const g of content.groups) {
      const meta = { connector: g.connectorId, dataset: g.dataset, gatheredAt: gatheredAt.get(g.connectorId) ?? null, records: g.rows.length };
      entries.push({ path: g.json, ...(await zip.add(g.json, textStream(jsonArray(g.rows)))), contentType: CONTENT_TYPES.json, ...meta });
      entries.push({ path: g.csv, ...(await zip.add(g.csv, textStream(csvTable(g.rows)))), contentType: CONTENT_TYPES.csv, ...meta });
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
    renameSync(tmp, out);
  } catch (error) {
    await zip.abort().catch(() => {});
    rmSync(tmp, { force: true });
    if (error instanceof ArchiveBuildError) throw error;
    throw new ArchiveBuildError("write_failed", { cause: error });
  }

  const files = entries.length + 1;
  try {
    db.transaction((tx) => {
      audit.append(tx, { actor: input.actor ?? { kind: "system" }, action: "archive.built", reference: request.reference, details: { kind, files, bytes: result.size }, at: now });
    });
  } catch (error) {
    // An archive nobody can account for is not handed over.
    rmSync(out, { force: true });
    throw error;
  }
  return { path: out, bytes: result.size, sha256: result.sha256, manifestSha256, files, entries };
}
