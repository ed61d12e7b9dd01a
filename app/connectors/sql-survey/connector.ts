import { proposedErasurePlan } from "./erasure-plan";
import {
  type Connector,
  type DatasetPresentation,
  type ContactRemoval,
  type ErasureAction,
  type ErasurePlan,
  type ErasureResult,
  type ExportSink,
  type ExportSummary,
  type FieldChange,
  type FieldValue,
  type Health,
  type IdentifierKind,
  type Match,
  type PortabilityCategory,
  type ValueCheck,
  type VerifiedIdentity,
} from "../types";
import { kind, presentationOf, type Config, type IdentityMapping, type TableMapping } from "./config";
import { readDate, describeFormats, SWAPPABLE_FORMATS, type DateFormat } from "./dates";
import { classify, describeError, openDriver, placeholders, quoteIdent, type Row, type SqlDriver, type SqlParam } from "./dialect";
import {
  nameCandidates,
  nameKey,
  normaliseE164,
  normaliseEmail,
  normalisePostcode,
  phoneCandidates,
  postcodeCandidates,
  samePhone,
  stronger,
} from "./identity";
import { typedEmail, typedPhone, typedPostcode } from "../typed-values";
import { createMasker, isRetained, type Masker } from "./masking";

/** The side table used when a table declares no restriction flag column. */
export const RESTRICTIONS_TABLE = "rightsdesk_restrictions";

type Table = {
  dataset: string;
  table: string;
  pk: string;
  /** primary key first, then the declared columns */
  columns: string[];
  provided: string[];
  /** the portability subset (WP242): provided, observed, and the context that explains them */
  portability: Record<string, PortabilityCategory>;
  dates: Map<string, DateFormat[]>;
  /** date columns whose day and month may be swapped in every row (ambiguousDayMonth) */
  swappable: Set<string>;
  /** channel values whose dates may have day and month swapped, read from this table's own column */
  channel?: { column: string; ambiguous: Set<string> };
  /** where a row's channel is read: its own column, its parent row's (inherited), or nowhere */
  channelFrom?: "own" | "parent";
  /** what a query must read besides the declared columns to know a row's channel */
  channelColumns: string[];
  /** whether its rows' channel matters here: it has slashed date columns and a channel to read */
  readsChannel: boolean;
  identity?: IdentityMapping;
  relation?: { to: string; column: string; references: string };
  restrictedColumn?: string;
  /** Art. 19: where a row's recipient is read: its own column, or its parent row's */
  recipientColumn?: string;
  recipientFrom?: "own" | "parent";
  erasure: TableMapping["erasure"];
  mask: Masker;
  depth: number;
};

/** Opaque record keys: the primary key's value as text. */
function keyOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("hex");
  return String(value);
}

function plain(value: unknown): FieldValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString("base64");
  return JSON.stringify(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  return plain(a) === plain(b) || String(plain(a)) === String(plain(b));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const matchId = (m: Pick<Match, "dataset" | "key">) => `${m.dataset}\u0000${m.key}`;

function sameAction(a: ErasureAction, b: ErasureAction) {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class SqlSurveyConnector implements Connector {
  readonly id: string;
  readonly kind = kind;
  readonly label: string;
  /** from the mapping's titles and labels */
  readonly presentation: Record<string, DatasetPresentation>;
  /** from the mapping: the identity columns some table declares */
  readonly searchableBy: IdentifierKind[];
  private driverInstance: SqlDriver | undefined;
  private readonly tables = new Map<string, Table>();
  /** parents before children */
  private readonly order: Table[];
  private readonly caseInsensitiveColumns = new Map<string, boolean>();
  private restrictionsTableReady = false;
  private schemaChecked = false;

  constructor(
    private readonly config: Config,
    private readonly url: string,
    hashKey: string | undefined,
  ) {
    this.id = config.id;
    this.label = config.label;
    this.presentation = presentationOf(config.mapping);
    const entries = Object.entries(config.mapping.tables);
    const depthOf = (name: string, seen = 0): number => {
      const to = config.mapping.tables[name]?.relation?.to;
      return to && seen < entries.length ? 1 + depthOf(to, seen + 1) : 0;
    };
    for (const [dataset, t] of entries) {
      const declared = Object.keys(t.columns).filter((c) => c !== t.primaryKey);
      const parent = t.relation ? config.mapping.tables[t.relation.to] : undefined;
      const portability = Object.fromEntries(
        Object.entries(t.columns).flatMap(([name, c]) => {
          const category = c.providedBySubject ? "provided" : c.portability;
          return category ? [[name, category] as const] : [];
        }),
      );
      this.tables.set(dataset, {
        dataset,
        table: t.table ?? dataset,
        pk: t.primaryKey,
        columns: [t.primaryKey, ...declared],
        provided: Object.entries(portability)
          .filter(([, category]) => category === "provided")
          .map(([name]) => name),
        portability,
        dates: new Map(Object.entries(t.columns).flatMap(([name, c]) => (c.dateFormats ? [[name, c.dateFormats] as const] : []))),
        swappable: new Set(Object.entries(t.columns).flatMap(([name, c]) => (c.ambiguousDayMonth ? [name] : []))),
        channel: t.channel ? { column: t.channel.column, ambiguous: new Set(t.channel.ambiguousDates) } : undefined,
        channelColumns: [],
        readsChannel: false,
        identity: t.identity,
        relation: t.relation && parent ? { to: t.relation.to, column: t.relation.column, references: t.relation.references ?? parent.primaryKey } : undefined,
        restrictedColumn: t.restrictedColumn,
        recipientColumn: t.recipientColumn,
        erasure: t.erasure,
        mask: createMasker(config.id, dataset, hashKey),
        depth: depthOf(dataset),
      });
    }
    this.order = [...this.tables.values()].sort((a, b) => a.depth - b.depth);
    const identities = entries.map(([, t]) => t.identity).filter((i) => i !== undefined);
    this.searchableBy = [
      ...(identities.some((i) => i.email) ? (["email"] as const) : []),
      ...(identities.some((i) => i.phone) ? (["phone"] as const) : []),
      ...(identities.some((i) => i.lastName && i.firstName && i.postcode) ? (["name_postcode"] as const) : []),
    ];
    // Parents first, so a child knows whether its parent has a channel to inherit.
    for (const t of this.order) {
      const parent = t.relation ? this.tables.get(t.relation.to) : undefined;
      t.channelFrom = t.channel ? "own" : parent?.channelFrom ? "parent" : undefined;
      t.channelColumns = t.channelFrom === "own" ? [t.channel!.column] : t.channelFrom === "parent" ? [t.relation!.column] : [];
      t.readsChannel = t.channelFrom !== undefined && [...t.dates.values()].some((formats) => formats.some((f) => SWAPPABLE_FORMATS.includes(f)));
      t.recipientFrom = t.recipientColumn ? "own" : parent?.recipientFrom ? "parent" : undefined;
    }
  }

  private get db(): SqlDriver {
    this.driverInstance ??= openDriver(this.config.dialect, this.url, { poolSize: this.config.poolSize, queryTimeoutMs: this.config.queryTimeoutMs });
    return this.driverInstance;
  }

  private q(name: string) {
    return quoteIdent(this.config.dialect, name);
  }

  private cols(names: readonly string[]) {
    return names.map((n) => this.q(n)).join(", ");
  }

  private table(dataset: string): Table {
    const t = this.tables.get(dataset);
    if (!t) throw new Error(`unknown dataset "${dataset}" for connector ${this.id}`);
    return t;
  }

  private own(matches: readonly Match[]) {
    return matches.filter((m) => m.connectorId === this.id);
  }

  /** Keys grouped per dataset, parents first, each key once. */
  private group(matches: readonly Match[]): [Table, string[]][] {
    const byDataset = new Map<string, Set<string>>();
    for (const m of this.own(matches)) {
      this.table(m.dataset);
      let keys = byDataset.get(m.dataset);
      if (!keys) byDataset.set(m.dataset, (keys = new Set()));
      keys.add(m.key);
    }
    return this.order.filter((t) => byDataset.has(t.dataset)).map((t) => [t, [...byDataset.get(t.dataset)!]]);
  }

  /** `SELECT cols FROM t WHERE col IN (…)`, one statement per batch of values. */
  private async selectIn(t: Table, columns: readonly string[], column: string, values: readonly SqlParam[], orderBy?: string): Promise<Row[]> {
    const rows: Row[] = [];
    for (const part of chunks(values, this.config.batchSize)) {
      const order = orderBy ? ` ORDER BY ${this.q(orderBy)}` : "";
      rows.push(...(await this.db.query(`SELECT ${this.cols(columns)} FROM ${this.q(t.table)} WHERE ${this.q(column)} IN (${placeholders(part.length)})${order}`, part)));
    }
    return rows;
  }

  /**
   * For each row, whether it came through a channel whose dates may have day
   * and month swapped: read from the row's own channel column, or from its
   * parent row's (one query per level, for the whole batch). The rows must
   * hold `t.channelColumns`.
   */
  /** Art. 19: the company each row was collected for, read from the row or, for a related table, from its parent row. */
  private async recipientsOf(t: Table, rows: Row[]): Promise<(string | undefined)[]> {
    const text = (v: unknown) => (v === null || v === undefined || String(plain(v)).trim() === "" ? undefined : String(plain(v)).trim());
    if (t.recipientFrom === "own") {
      if (rows.every((row) => t.recipientColumn! in row)) return rows.map((row) => text(row[t.recipientColumn!]));
      const own = await this.selectIn(t, [t.pk, t.recipientColumn!], t.pk, rows.map((row) => keyOf(row[t.pk])));
      const byKey = new Map(own.map((row) => [keyOf(row[t.pk]), text(row[t.recipientColumn!])]));
      return rows.map((row) => byKey.get(keyOf(row[t.pk])));
    }
    if (t.recipientFrom !== "parent" || !t.relation) return rows.map(() => undefined);
    const rel = t.relation;
    const parent = this.table(rel.to);
    const refOf = (row: Row) => (row[rel.column] === null || row[rel.column] === undefined ? undefined : keyOf(row[rel.column]));
    const refs = [...new Set(rows.map(refOf).filter((r): r is string => r !== undefined))];
    if (!refs.length) return rows.map(() => undefined);
    const parentRows = await this.selectIn(parent, [...new Set([parent.pk, rel.references, ...(parent.recipientColumn ? [parent.recipientColumn] : []), ...(parent.relation ? [parent.relation.column] : [])])], rel.references, refs);
    const values = await this.recipientsOf(parent, parentRows);
    const byRef = new Map(parentRows.map((row, i) => [keyOf(row[rel.references]), values[i]]));
    return rows.map((row) => byRef.get(refOf(row) ?? ""));
  }

  private async inAmbiguousChannel(t: Table, rows: Row[]): Promise<boolean[]> {
    if (t.channelFrom === "own") {
      const { column, ambiguous } = t.channel!;
      return rows.map((row) => row[column] !== null && row[column] !== undefined && ambiguous.has(String(plain(row[column])).trim()));
    }
    if (t.channelFrom !== "parent" || !t.relation) return rows.map(() => false);
    const rel = t.relation;
    const parent = this.table(rel.to);
    const refOf = (row: Row) => (row[rel.column] === null || row[rel.column] === undefined ? undefined : keyOf(row[rel.column]));
    const refs = [...new Set(rows.map(refOf).filter((r): r is string => r !== undefined))];
    if (!refs.length) return rows.map(() => false);
    const parentRows = await this.selectIn(parent, [...new Set([rel.references, ...parent.channelColumns])], rel.references, refs);
    const flags = await this.inAmbiguousChannel(parent, parentRows);
    const ambiguousRefs = new Set(parentRows.filter((_, i) => flags[i]).map((row) => keyOf(row[rel.references])));
    return rows.map((row) => ambiguousRefs.has(refOf(row) ?? ""));
  }

  async health(): Promise<Health> {
    const started = performance.now();
    try {
      await this.db.query("SELECT 1 AS ok");
    } catch (error) {
      return { ok: false, latencyMs: Math.round(performance.now() - started), detail: describeError(error) };
    }
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    if (!this.schemaChecked) {
      // The mapping is checked against the real tables once: a renamed column shows here, not mid-export.
      for (const t of this.order) {
        const probe = [...t.columns, ...(t.relation ? [t.relation.column] : []), ...(t.restrictedColumn ? [t.restrictedColumn] : [])];
        try {
          await this.db.query(`SELECT ${this.cols([...new Set(probe)])} FROM ${this.q(t.table)} WHERE 1 = 0`);
        } catch (error) {
          return { ok: false, latencyMs, detail: `mapping of dataset "${t.dataset}" does not fit the database: ${describeError(error)}` };
        }
      }
      this.schemaChecked = true;
    }
    return { ok: true, latencyMs };
  }

  /**
   * Case-insensitive equality that can use an index: lower(col) against an
   * expression index on sqlite and postgres; on MariaDB the column's own
   * collation when it is case-insensitive (the usual *_ci), LOWER() otherwise.
   */
  private async emailExpression(t: Table, column: string, stored: IdentityMapping["emailStored"]): Promise<string> {
    const col = this.q(column);
    if (stored === "lowercase") return col;
    if (this.config.dialect !== "mariadb") return `lower(${col})`;
    const cacheKey = `${t.table}.${column}`;
    let ci = this.caseInsensitiveColumns.get(cacheKey);
    if (ci === undefined) {
      const rows = await this.db.query(
        "SELECT COLLATION_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?",
        [t.table, column],
      );
      const collation = rows[0]?.c;
      ci = typeof collation === "string" && /_ci$/i.test(collation);
      this.caseInsensitiveColumns.set(cacheKey, ci);
    }
    return ci ? col : `LOWER(${col})`;
  }

  private async findDirect(t: Table, identity: VerifiedIdentity, signal: AbortSignal): Promise<[string, IdentifierKind][]> {
    const id = t.identity!;
    const hits: [string, IdentifierKind][] = [];
    const from = this.q(t.table);
    const pk = this.q(t.pk);

    const email = normaliseEmail(identity.email);
    if (email && id.email) {
      signal.throwIfAborted();
      const expr = await this.emailExpression(t, id.email, id.emailStored);
      for (const row of await this.db.query(`SELECT ${pk} FROM ${from} WHERE ${expr} = ?`, [email])) hits.push([keyOf(row[t.pk]), "email"]);
    }

    const phone = normaliseE164(identity.phone);
    if (phone && id.phone) {
      signal.throwIfAborted();
      const col = this.q(id.phone);
      if (id.phoneStored === "e164") {
        for (const row of await this.db.query(`SELECT ${pk} FROM ${from} WHERE ${col} = ?`, [phone])) hits.push([keyOf(row[t.pk]), "phone"]);
      } else {
        const candidates = phoneCandidates(phone);
        const rows = await this.db.query(`SELECT ${pk}, ${col} FROM ${from} WHERE ${col} IN (${placeholders(candidates.length)})`, candidates);
        for (const row of rows) if (samePhone(row[id.phone], phone)) hits.push([keyOf(row[t.pk]), "phone"]);
      }
    }

    const person = identity.nameAndPostcode;
    if (person && id.lastName && id.firstName && id.postcode) {
      const lastNames = nameCandidates(person.lastName);
      const firstNames = nameCandidates(person.firstName);
      const postcodes = postcodeCandidates(person.postcode);
      const wantedFirst = nameKey(person.firstName);
      if (lastNames.length && firstNames.length && postcodes.length && wantedFirst) {
        signal.throwIfAborted();
        // The (last name, postcode) index narrows; the first name is filtered in SQL too, so a common
        // surname in a big town does not bring thousands of rows back.
        const rows = await this.db.query(
          `SELECT ${this.cols([t.pk, id.lastName, id.firstName, id.postcode])} FROM ${from} WHERE ${this.q(id.lastName)} IN (${placeholders(lastNames.length)}) AND ${this.q(id.postcode)} IN (${placeholders(postcodes.length)}) AND ${this.q(id.firstName)} IN (${placeholders(firstNames.length)})`,
          [...lastNames, ...postcodes, ...firstNames],
        );
        const wantedLast = nameKey(person.lastName);
        const wantedPostcode = normalisePostcode(person.postcode);
        for (const row of rows)
          if (nameKey(row[id.lastName]) === wantedLast && nameKey(row[id.firstName]) === wantedFirst && normalisePostcode(row[id.postcode]) === wantedPostcode)
            hits.push([keyOf(row[t.pk]), "name_postcode"]);
      }
    }
    return hits;
  }

  async find(identity: VerifiedIdentity, signal: AbortSignal): Promise<Match[]> {
    signal.throwIfAborted();
    const found = new Map<string, Match>();
    const add = (dataset: string, key: string, on: IdentifierKind) => {
      const id = matchId({ dataset, key });
      const existing = found.get(id);
      if (existing) existing.matchedOn = stronger(existing.matchedOn, on);
      else found.set(id, { connectorId: this.id, dataset, key, matchedOn: on });
    };

    for (const t of this.order) if (t.identity) for (const [key, on] of await this.findDirect(t, identity, signal)) add(t.dataset, key, on);

    // Related rows inherit how their parent was found: an answer is Corinne's because her respondent row is.
    for (const t of this.order) {
      if (!t.relation) continue;
      const parent = this.table(t.relation.to);
      const parentMatches = [...found.values()].filter((m) => m.dataset === parent.dataset);
      if (!parentMatches.length) continue;
      signal.throwIfAborted();
      const byRef = new Map<string, IdentifierKind>();
      if (t.relation.references === parent.pk) for (const m of parentMatches) byRef.set(m.key, m.matchedOn);
      else {
        const onOf = new Map(parentMatches.map((m) => [m.key, m.matchedOn]));
        for (const row of await this.selectIn(parent, [parent.pk, t.relation.references], parent.pk, [...onOf.keys()])) {
          const ref = row[t.relation.references];
          if (ref === null || ref === undefined) continue;
          const on = onOf.get(keyOf(row[parent.pk]))!;
          const prev = byRef.get(keyOf(ref));
          byRef.set(keyOf(ref), prev ? stronger(prev, on) : on);
        }
      }
      if (!byRef.size) continue;
      signal.throwIfAborted();
      const rows = await this.selectIn(t, [t.pk, t.relation.column], t.relation.column, [...byRef.keys()], t.pk);
      for (const row of rows) {
        const on = byRef.get(keyOf(row[t.relation.column]));
        if (on) add(t.dataset, keyOf(row[t.pk]), on);
      }
    }
    return [...found.values()];
  }

  /**
   * Declared columns only, batch by batch. A date that fits none of its
   * declared formats is exported as null and reported (raw text, expected
   * formats) through `sink.anomaly`: the archive never carries a guessed date,
   * and the raw value is still shown to the person in the anomaly list. Where
   * day and month may be swapped (the column's flag, or the row's channel), a
   * slashed date that reads as two different dates is reported the same way,
   * `kind: "ambiguous"` with both readings, for staff to choose from.
   */
  async export(matches: Match[], sink: ExportSink, signal?: AbortSignal): Promise<ExportSummary> {
    const summary: ExportSummary = { records: 0, files: 0, anomalies: 0 };
    for (const [t, keys] of this.group(matches)) {
      for (const part of chunks(keys, this.config.batchSize)) {
        signal?.throwIfAborted();
        const extra = [...(t.readsChannel ? t.channelColumns : []), ...(t.recipientFrom === "own" ? [t.recipientColumn!] : t.recipientFrom === "parent" ? [t.relation!.column] : [])];
        const rows = await this.selectIn(t, [...new Set([...t.columns, ...extra])], t.pk, part, t.pk);
        const inAmbiguousChannel = t.readsChannel ? await this.inAmbiguousChannel(t, rows) : [];
        const recipients = t.recipientFrom ? await this.recipientsOf(t, rows) : [];
        for (const [i, row] of rows.entries()) {
          const key = keyOf(row[t.pk]);
          const fields: Record<string, FieldValue> = {};
          for (const column of t.columns) {
            const formats = t.dates.get(column);
            if (!formats) {
              fields[column] = plain(row[column]);
              continue;
            }
            const reading = readDate(row[column], formats, { swappable: t.swappable.has(column) || inAmbiguousChannel[i] });
            if (reading.ok) fields[column] = reading.value;
            else {
              fields[column] = null;
              const kind = reading.readings ? { kind: "ambiguous" as const, readings: reading.readings } : { kind: "unreadable" as const };
              await sink.anomaly({ dataset: t.dataset, key, field: column, raw: reading.raw, expected: describeFormats(formats), ...kind });
              summary.anomalies++;
            }
          }
          const recipient = recipients[i];
          await sink.record({ dataset: t.dataset, key, fields, providedBySubject: t.provided, portability: t.portability, ...(recipient ? { recipient } : {}) });
          summary.records++;
        }
      }
    }
    return summary;
  }

  /**
   * Executes an approved plan. Children before parents, so a respondent is
   * only deleted once its answers are gone; a parent whose related rows would
   * be left behind (not in the plan, or kept) is reported failed rather than
   * orphaning them where no later search could find them. Every step is
   * idempotent: deleting a deleted row, or masking a masked value, changes
   * nothing and reports done.
   */
  proposeErasure(matches: Match[]): ErasurePlan {
    return proposedErasurePlan(this.config, matches);
  }

  async erase(matches: Match[], plan: ErasurePlan): Promise<ErasureResult> {
    const result: ErasureResult = { done: [], retained: [], failed: [] };
    const steps = new Map<string, { match: Match; action: ErasureAction; conflict?: boolean }>();
    for (const step of plan.steps) {
      if (step.match.connectorId !== this.id) continue;
      const id = matchId(step.match);
      const prev = steps.get(id);
      if (prev && !sameAction(prev.action, step.action)) prev.conflict = true;
      else if (!prev) steps.set(id, { match: step.match, action: step.action });
    }
    for (const m of this.own(matches)) {
      if (!steps.has(matchId(m))) result.failed.push({ match: m, error: "no erasure step planned for this record" });
    }

    const work = new Map<string, { deletes: Match[]; anonymizes: Match[] }>();
    for (const { match, action, conflict } of steps.values()) {
      if (conflict) {
        result.failed.push({ match, error: "the plan gives this record two different actions" });
        continue;
      }
      if (!this.tables.has(match.dataset)) {
        result.failed.push({ match, error: `unknown dataset "${match.dataset}"` });
        continue;
      }
      if (action.kind === "retain") {
        result.retained.push(match);
        continue;
      }
      let w = work.get(match.dataset);
      if (!w) work.set(match.dataset, (w = { deletes: [], anonymizes: [] }));
      (action.kind === "delete" ? w.deletes : w.anonymizes).push(match);
    }

    for (const t of [...this.order].reverse()) {
      const w = work.get(t.dataset);
      if (!w) continue;
      if (w.anonymizes.length) await this.anonymize(t, w.anonymizes, result);
      if (w.deletes.length) await this.remove(t, w.deletes, result);
    }
    return result;
  }

  private async anonymize(t: Table, matches: Match[], result: ErasureResult) {
    if (t.erasure.strategy !== "anonymize") {
      for (const match of matches)
        result.failed.push({ match, error: `dataset "${t.dataset}" declares no masking rules (its erasure strategy is "${t.erasure.strategy}")` });
      return;
    }
    const rules = Object.entries(t.erasure.mask).filter(([, rule]) => !isRetained(rule));
    const masked = rules.map(([column]) => column);
    for (const part of chunks(matches, this.config.batchSize)) {
      const pending = new Map(part.map((m) => [m.key, m]));
      try {
        const rows = masked.length ? await this.selectIn(t, [t.pk, ...masked], t.pk, [...pending.keys()]) : [];
        for (const row of rows) {
          const key = keyOf(row[t.pk]);
          const match = pending.get(key);
          if (!match) continue;
          const changes: [string, unknown][] = [];
          for (const [column, rule] of rules) {
            const next = t.mask(rule, column, row[column]);
            if (!sameValue(next, row[column])) changes.push([column, next]);
          }
          if (changes.length) {
            await this.db.exec(`UPDATE ${this.q(t.table)} SET ${changes.map(([c]) => `${this.q(c)} = ?`).join(", ")} WHERE ${this.q(t.pk)} = ?`, [
              ...changes.map(([, v]) => v as SqlParam),
              key,
            ]);
          }
          result.done.push(match);
          pending.delete(key);
        }
        // Rows already gone hold nothing to mask.
        for (const match of pending.values()) result.done.push(match);
      } catch (error) {
        const message = classify(error).message;
        for (const match of pending.values()) result.failed.push({ match, error: message });
      }
    }
  }

  private async remove(t: Table, matches: Match[], result: ErasureResult) {
    const children = this.order.filter((c) => c.relation?.to === t.dataset);
    for (const part of chunks(matches, this.config.batchSize)) {
      try {
        let blocked = new Map<string, string>();
        if (children.length) blocked = await this.blockedByChildren(t, children, part.map((m) => m.key));
        for (const match of part) {
          const reason = blocked.get(match.key);
          if (reason) result.failed.push({ match, error: reason });
        }
        const free = part.filter((m) => !blocked.has(m.key));
        if (free.length) {
          await this.db.exec(`DELETE FROM ${this.q(t.table)} WHERE ${this.q(t.pk)} IN (${placeholders(free.length)})`, free.map((m) => m.key));
          result.done.push(...free);
        }
      } catch (error) {
        const message = classify(error).message;
        for (const match of part) if (!result.failed.some((f) => f.match === match)) result.failed.push({ match, error: message });
      }
    }
  }

  /** parent key → why it cannot be deleted yet */
  private async blockedByChildren(t: Table, children: Table[], keys: string[]): Promise<Map<string, string>> {
    const blocked = new Map<string, string>();
    for (const child of children) {
      const rel = child.relation!;
      const keyByRef = new Map<string, string>();
      if (rel.references === t.pk) for (const k of keys) keyByRef.set(k, k);
      else for (const row of await this.selectIn(t, [t.pk, rel.references], t.pk, keys)) if (row[rel.references] != null) keyByRef.set(keyOf(row[rel.references]), keyOf(row[t.pk]));
      if (!keyByRef.size) continue;
      const rows = await this.db.query(
        `SELECT ${this.q(rel.column)}, COUNT(*) AS n FROM ${this.q(child.table)} WHERE ${this.q(rel.column)} IN (${placeholders(keyByRef.size)}) GROUP BY ${this.q(rel.column)}`,
        [...keyByRef.keys()],
      );
      for (const row of rows) {
        const key = keyByRef.get(keyOf(row[rel.column]));
        if (key && !blocked.has(key)) blocked.set(key, `${Number(row.n)} related "${child.dataset}" row(s) would be left behind: plan their erasure first`);
      }
    }
    return blocked;
  }

  /**
   * A new value as staff type it, checked against what the column holds:
   * the identity phone (E.164 when declared so), email and postcode, and a
   * declared date column — a date typed the French way (31/01/1985) or in
   * ISO is written in the column's first declared format.
   */
  checkValue(dataset: string, field: string, typed: string): ValueCheck {
    const t = this.table(dataset);
    const id = t.identity;
    const text = typed.trim();
    if (id?.phone === field) {
      const e164 = typedPhone(text);
      if (!e164) return { ok: false, problem: "phone" };
      return { ok: true, value: id.phoneStored === "e164" ? e164 : text };
    }
    if (id?.email === field) {
      const email = typedEmail(text);
      return email ? { ok: true, value: email } : { ok: false, problem: "email" };
    }
    if (id?.postcode === field) {
      const postcode = typedPostcode(text);
      return postcode ? { ok: true, value: postcode } : { ok: false, problem: "postcode" };
    }
    const formats = t.dates.get(field);
    if (formats) {
      if (readDate(text, formats).ok) return { ok: true, value: text };
      const typedAs = readDate(text, ["dd/mm/yyyy", "iso-date"]);
      const target = formats.find((f) => f === "iso-date" || f === "dd/mm/yyyy" || f === "mm/dd/yyyy");
      if (!typedAs.ok || !typedAs.value || !target) return { ok: false, problem: "date" };
      const [y, m, d] = typedAs.value.split("-");
      return { ok: true, value: target === "iso-date" ? typedAs.value : target === "dd/mm/yyyy" ? `${d}/${m}/${y}` : `${m}/${d}/${y}` };
    }
    return { ok: true, value: text };
  }

  /**
   * Applies approved changes. All are checked before any is written: each
   * field must be a declared column, a date must fit its declared formats,
   * and the stored value must still be the `from` the DPO approved (or
   * already the `to`, which makes a second run a no-op).
   */
  async rectify(_matches: Match[], changes: FieldChange[]): Promise<void> {
    const perRecord = new Map<string, { t: Table; key: string; changes: FieldChange[] }>();
    for (const change of changes) {
      if (change.match.connectorId !== this.id) continue;
      const t = this.table(change.match.dataset);
      const field = change.field;
      if (field === t.pk || !t.columns.includes(field)) throw new Error(`"${field}" is not a rectifiable column of dataset "${t.dataset}"`);
      const formats = t.dates.get(field);
      if (formats && change.to !== null && !(typeof change.to === "string" && readDate(change.to, formats).ok))
        throw new Error(`${t.dataset}.${field} must be written as ${describeFormats(formats)}`);
      if (field === t.identity?.phone && t.identity.phoneStored === "e164" && change.to !== null && normaliseE164(String(change.to)) !== change.to)
        throw new Error(`${t.dataset}.${field} holds E.164 numbers (+33612345678)`);
      const id = matchId(change.match);
      let entry = perRecord.get(id);
      if (!entry) perRecord.set(id, (entry = { t, key: change.match.key, changes: [] }));
      entry.changes.push(change);
    }

    const writes: { t: Table; key: string; set: [string, FieldValue][] }[] = [];
    for (const { t, key, changes: list } of perRecord.values()) {
      const fields = [...new Set(list.map((c) => c.field))];
      const [row] = await this.db.query(`SELECT ${this.cols([...new Set([t.pk, ...fields, ...(t.readsChannel ? t.channelColumns : [])])])} FROM ${this.q(t.table)} WHERE ${this.q(t.pk)} = ?`, [key]);
      if (!row) throw new Error(`${t.dataset} record ${key} no longer exists`);
      const [inAmbiguousChannel] = t.readsChannel ? await this.inAmbiguousChannel(t, [row]) : [false];
      const set: [string, FieldValue][] = [];
      for (const c of list) {
        const current = row[c.field];
        if (sameValue(current, c.to)) continue;
        const formats = t.dates.get(c.field);
        // What staff were shown: the date as read, or — day and month swappable — the reading they chose.
        const shown = formats ? readDate(current, formats, { swappable: t.swappable.has(c.field) || inAmbiguousChannel }) : undefined;
        const shownValues = !shown ? [] : shown.ok ? [shown.value] : (shown.readings ?? []).map((r) => r.value);
        const matchesFrom = sameValue(current, c.from) || shownValues.some((v) => sameValue(v, c.from));
        if (!matchesFrom) throw new Error(`${t.dataset}.${c.field} of record ${key} changed since the rectification was prepared`);
        set.push([c.field, c.to]);
      }
      if (set.length) writes.push({ t, key, set });
    }
    for (const { t, key, set } of writes) {
      await this.db.exec(`UPDATE ${this.q(t.table)} SET ${set.map(([c]) => `${this.q(c)} = ?`).join(", ")} WHERE ${this.q(t.pk)} = ?`, [
        ...set.map(([, v]) => v),
        key,
      ]);
    }
  }

  private async ensureRestrictionsTable() {
    if (this.restrictionsTableReady) return;
    const side = this.q(RESTRICTIONS_TABLE);
    const [dataset, key, since] = ["dataset", "key", "since"].map((c) => this.q(c));
    const ddl =
      this.config.dialect === "mariadb"
        ? `CREATE TABLE IF NOT EXISTS ${side} (${dataset} VARCHAR(64) NOT NULL, ${key} VARCHAR(191) NOT NULL, ${since} VARCHAR(40) NOT NULL, PRIMARY KEY (${dataset}, ${key})) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`
        : `CREATE TABLE IF NOT EXISTS ${side} (${dataset} TEXT NOT NULL, ${key} TEXT NOT NULL, ${since} TEXT NOT NULL, PRIMARY KEY (${dataset}, ${key}))`;
    await this.db.exec(ddl);
    this.restrictionsTableReady = true;
  }

  /**
   * Art. 18: rows are marked, not moved. With a declared flag column the flag
   * is set to 1/0; otherwise the key is listed in rightsdesk_restrictions
   * (created here if absent) with the time the restriction began, which a
   * second `on` keeps.
   */
  async restrict(matches: Match[], on: boolean): Promise<void> {
    for (const [t, keys] of this.group(matches)) {
      for (const part of chunks(keys, this.config.batchSize)) {
        if (t.restrictedColumn) {
          await this.db.exec(`UPDATE ${this.q(t.table)} SET ${this.q(t.restrictedColumn)} = ? WHERE ${this.q(t.pk)} IN (${placeholders(part.length)})`, [
            on ? 1 : 0,
            ...part,
          ]);
          continue;
        }
        await this.ensureRestrictionsTable();
        const side = this.q(RESTRICTIONS_TABLE);
        const columns = this.cols(["dataset", "key", "since"]);
        if (on) {
          const since = new Date().toISOString();
          const values = part.map(() => "(?, ?, ?)").join(", ");
          const params = part.flatMap((k) => [t.dataset, k, since]);
          const sql =
            this.config.dialect === "sqlite"
              ? `INSERT OR IGNORE INTO ${side} (${columns}) VALUES ${values}`
              : this.config.dialect === "postgres"
                ? `INSERT INTO ${side} (${columns}) VALUES ${values} ON CONFLICT DO NOTHING`
                : `INSERT IGNORE INTO ${side} (${columns}) VALUES ${values}`;
          await this.db.exec(sql, params);
        } else {
          await this.db.exec(`DELETE FROM ${side} WHERE ${this.q("dataset")} = ? AND ${this.q("key")} IN (${placeholders(part.length)})`, [t.dataset, ...part]);
        }
      }
    }
  }

  /**
   * Objection (OP-03): the declared identity contact columns (email, phone)
   * of the matched rows are set to NULL. Names, answers and statistics stay;
   * the person can no longer be called or mailed from this base. A row whose
   * contact columns are already empty is left alone, so a second run counts 0.
   */
  async removeContacts(matches: Match[]): Promise<ContactRemoval> {
    const out: ContactRemoval = { records: 0, fields: 0, columns: [] };
    for (const [t, keys] of this.group(matches)) {
      const columns = [t.identity?.email, t.identity?.phone].filter((c): c is string => !!c);
      if (!columns.length) continue;
      for (const part of chunks(keys, this.config.batchSize)) {
        const rows = await this.selectIn(t, [t.pk, ...columns], t.pk, part);
        const held = rows.filter((row) => columns.some((c) => row[c] !== null && row[c] !== undefined && row[c] !== ""));
        if (!held.length) continue;
        out.fields += held.reduce((n, row) => n + columns.filter((c) => row[c] !== null && row[c] !== undefined && row[c] !== "").length, 0);
        const changed = await this.db.exec(`UPDATE ${this.q(t.table)} SET ${columns.map((c) => `${this.q(c)} = NULL`).join(", ")} WHERE ${this.q(t.pk)} IN (${placeholders(held.length)})`, held.map((row) => row[t.pk] as SqlParam));
        out.records += changed.changes;
        for (const c of columns) if (!out.columns.includes(`${t.dataset}.${c}`)) out.columns.push(`${t.dataset}.${c}`);
      }
    }
    return out;
  }

  async close(): Promise<void> {
    const driver = this.driverInstance;
    this.driverInstance = undefined;
    this.restrictionsTableReady = false;
    this.caseInsensitiveColumns.clear();
    await driver?.close();
  }
}
