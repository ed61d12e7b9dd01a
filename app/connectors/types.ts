import type { Readable } from "node:stream";

/**
 * The contract every source of personal data implements (DESIGN.md). A
 * connector knows nothing about tickets: it is given identifiers that were
 * verified on a ticket and answers with what it holds.
 */

/** Which verified identifier found a record. name_postcode is a weaker, combined key. */
export type IdentifierKind = "email" | "phone" | "name_postcode";

export type VerifiedIdentity = {
  /** lower-cased */
  email?: string;
  /** E.164, e.g. +33612345678 */
  phone?: string;
  /** used only together, and reported as the weaker key */
  nameAndPostcode?: { lastName: string; firstName: string; postcode: string };
};

export type Health = { ok: boolean; latencyMs: number; detail?: string };

/** A pointer to one record in one dataset; `key` is opaque to everyone but its connector. */
export type Match = {
  connectorId: string;
  dataset: string;
  key: string;
  matchedOn: IdentifierKind;
};

export type FieldValue = string | number | boolean | null;

/**
 * Why a field belongs in the portability archive (Art. 20, EDPB WP242 rev.01):
 * - provided: what the person gave us (typed, said, answered: identity, contact details, an answer, their voice);
 * - observed: what their use of a service recorded about them (when and how long they called, from which
 *   number, which channel they used, that they consented to the recording);
 * - context: not the person's data, but what is needed to understand it (the question an answer answers).
 * Anything else — inferred or created by our staff (an agent's summary, an internal flag, an employee's
 * identifier: Art. 20(4)) — has no category and stays out.
 */
export type PortabilityCategory = "provided" | "observed" | "context";

/** Words a person reads, in both languages the portal speaks. */
export type Localised = { fr: string; en: string };

/**
 * How a field's value is written for a person in the readable copy of an
 * archive (the JSON and CSV keep it raw): a date or an instant in Paris time,
 * a number of seconds in words, yes/no, a phone number as it is dialled, an
 * audio file to open, one of our own record numbers (shown after the rest).
 */
export type FieldFormat = "text" | "number" | "date" | "instant" | "duration" | "boolean" | "phone" | "audio" | "reference";

/** A field as the person reads it: its label, its format, and what its codes mean. */
export type FieldPresentation = { label?: Localised; format?: FieldFormat; values?: Record<string, Localised> };

/** A dataset as the person reads it: a title, the word for one of its records, and its fields. */
export type DatasetPresentation = {
  title?: Localised;
  /** "une réponse / des réponses": singular and plural, per language */
  unit?: { fr: [string, string]; en: [string, string] };
  fields: Record<string, FieldPresentation>;
};

/** One record as handed over: plain fields, ISO dates, and which fields the person provided. */
export type ExportRecord = {
  dataset: string;
  key: string;
  fields: Record<string, FieldValue>;
  /** names of fields the subject provided: what rectification offers to correct */
  providedBySubject: string[];
  /**
   * The portability subset, field by field. Absent (a record gathered before it existed, or a connector
   * that does not say): the fields in `providedBySubject`, as provided. A record with no provided or
   * observed field is left out of the portability archive, whatever context it carries.
   */
  portability?: Record<string, PortabilityCategory>;
  /**
   * Art. 19: the company this record was collected for and disclosed to, as the system names it
   * (a survey's client, a survey id); the register maps it to that company and its contact.
   * Absent: the record went to no one outside CentreCall.
   */
  recipient?: string;
};

/**
 * A value that did not parse in its declared format: reported raw, never
 * guessed. "ambiguous" (a date whose day and month could be swapped, the
 * ComPlus inversion incident) comes with every valid reading, for staff to
 * choose from; "unreadable" (or no kind, from connectors that predate it)
 * fits none.
 */
export type Anomaly = {
  dataset: string;
  key: string;
  field: string;
  raw: string;
  expected: string;
  kind?: "unreadable" | "ambiguous";
  /** ambiguous only: each format the raw value is a real date in, and that date (ISO) */
  readings?: { format: string; value: string }[];
};

export type ExportFile = {
  dataset: string;
  key: string;
  /** file name inside the archive folder, e.g. 2026-03-14_rec-42.wav */
  name: string;
  contentType: string;
  size: number;
  open(): Readable;
};

/** Where a connector streams what it exports (the gather store, an archive…). */
export interface ExportSink {
  record(r: ExportRecord): Promise<void>;
  file(f: ExportFile): Promise<void>;
  anomaly(a: Anomaly): Promise<void>;
}

export type ExportSummary = { records: number; files: number; anomalies: number };

/** How a field is still held after an anonymize step: as it was, as a keyed hash, or generalised (37100 → 37xxx). */
export type KeptForm = "unchanged" | "keyed-hash" | "generalised";

/**
 * A field a record still holds after erasure, with why and until when: an ISO
 * date, or an ISO 8601 duration from the record's creation (P3Y).
 */
export type KeptField = { field: string; form: KeptForm; legalBasis: string; until: string };

export type ErasureAction =
  | { kind: "delete" }
  | {
      kind: "anonymize";
      rule: string;
      /** fields emptied or replaced by a fixed text */
      removed?: string[];
      /**
       * What the record still holds besides its primary key. [] means nothing: the record is anonymous.
       * Anything kept (a keyed hash, a generalised postcode, a column left as it was) makes it
       * pseudonymised data, still personal data (Recital 26). Absent: the connector did not say, and the
       * record is described as pseudonymised — never claimed anonymous without proof.
       */
      kept?: KeptField[];
    }
  | {
      kind: "retain";
      legalBasis: string;
      until: string;
      /** the fields kept; absent, the whole record */
      fields?: string[];
    };

export type ErasurePlan = { steps: { match: Match; action: ErasureAction }[] };
export type ErasureResult = { done: Match[]; retained: Match[]; failed: { match: Match; error: string }[] };
/** What removeContacts emptied: records changed, and the fields emptied in them (never the values). */
export type ContactRemoval = { records: number; fields: number; columns: string[] };
/** What a typed value becomes in a system, or which kind of value it failed to be. */
export type ValueCheck = { ok: true; value: string } | { ok: false; problem: "phone" | "email" | "postcode" | "date" };

export type FieldChange = { match: Match; field: string; from: FieldValue; to: FieldValue };

/** A record as the retention job sees it: where it is and how old, never what it holds. */
export type AgedRecord = { dataset: string; key: string; at: string; restricted: boolean };

/**
 * Retention (Art. 5(1)(e)): a source whose records carry their own date lists
 * those older than a cut-off and deletes them, file and index row, like its
 * erase. Optional: a source without it is never purged by RightsDesk.
 */
export interface RetentionCapability {
  /** the dataset whose records it dates (the register's duration for it applies) */
  dataset: string;
  /** records older than `before` by their own date; `undated`: records whose date is missing or unreadable (kept, counted) */
  listExpired(before: Date, signal?: AbortSignal): Promise<{ expired: AgedRecord[]; undated: number }>;
  /**
   * Deletes these records if they are still older than `before` (a record
   * whose date changed since the listing is left). Idempotent: a record
   * already gone counts as `gone`.
   */
  deleteExpired(keys: string[], before: Date): Promise<{ deleted: number; gone: number; kept: number; failed: number }>;
}

export interface Connector {
  id: string;
  kind: string;
  label: string;
  /** Titles, labels and value formats for the readable copy, per dataset (connector defaults, overridden by its configuration). */
  presentation?: Record<string, DatasetPresentation>;
  /**
   * The identifiers it can be searched by. A ticket holding none of them
   * leaves this system "not searched", and the answer says which was missing.
   */
  searchableBy: readonly IdentifierKind[];
  health(): Promise<Health>;
  find(identity: VerifiedIdentity, signal: AbortSignal): Promise<Match[]>;
  export(matches: Match[], sink: ExportSink, signal?: AbortSignal): Promise<ExportSummary>;
  /**
   * What erasing these matches would do, by this system's own rules (a
   * dataset kept for a legal obligation, masked for statistics…): the dry run
   * the DPO reads before approving. Without it every match is deleted.
   */
  proposeErasure?(matches: Match[]): ErasurePlan;
  erase(matches: Match[], plan: ErasurePlan): Promise<ErasureResult>;
  rectify?(matches: Match[], changes: FieldChange[]): Promise<void>;
  /**
   * A new value staff type for a field, checked when typed and written the
   * way this system holds it (a phone as E.164, an email in lower case, a
   * date in the column's declared format). `rectify` checks again, as a guard.
   */
  checkValue?(dataset: string, field: string, typed: string): ValueCheck;
  restrict?(matches: Match[], on: boolean): Promise<void>;
  /**
   * Art. 21 objection, where the register promises it (OP-03: "suppression des
   * coordonnées de la base d'enquête"): empties the contact columns (email,
   * phone) of these records, keeping the rest. Idempotent: a record already
   * without contact details is not counted again.
   */
  removeContacts?(matches: Match[]): Promise<ContactRemoval>;
  /** records past their retention (recordings: the register's duration for call recordings) */
  retention?: RetentionCapability;
  close?(): Promise<void>;
}

/** Thrown by connectors for failures worth retrying (timeouts, 5xx, connection refused). */
export class ConnectorUnavailable extends Error {
  constructor(message: string, public readonly retryable = true) {
    super(message);
    this.name = "ConnectorUnavailable";
  }
}
