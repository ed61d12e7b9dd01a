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

/** One record as handed over: plain fields, ISO dates, and which fields the person provided. */
export type ExportRecord = {
  dataset: string;
  key: string;
  fields: Record<string, FieldValue>;
  /** names of fields provided by (or observed from) the subject: the portability subset */
  providedBySubject: string[];
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

export type ErasureAction =
  | { kind: "delete" }
  | { kind: "anonymize"; rule: string }
  | { kind: "retain"; legalBasis: string; until: string };

export type ErasurePlan = { steps: { match: Match; action: ErasureAction }[] };
export type ErasureResult = { done: Match[]; retained: Match[]; failed: { match: Match; error: string }[] };
export type FieldChange = { match: Match; field: string; from: FieldValue; to: FieldValue };

export interface Connector {
  id: string;
  kind: string;
  label: string;
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
  restrict?(matches: Match[], on: boolean): Promise<void>;
  close?(): Promise<void>;
}

/** Thrown by connectors for failures worth retrying (timeouts, 5xx, connection refused). */
export class ConnectorUnavailable extends Error {
  constructor(message: string, public readonly retryable = true) {
    super(message);
    this.name = "ConnectorUnavailable";
  }
}
