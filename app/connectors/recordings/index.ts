import type Database from "better-sqlite3";
import path from "node:path";
import { z } from "zod";
import { instantToParisLocal } from "../../utils/paris-time";
import {
  ConnectorUnavailable,
  type Connector,
  type ErasurePlan,
  type ErasureResult,
  type ExportRecord,
  type ExportSink,
  type Match,
  type PortabilityCategory,
} from "../types";
import { PresentationOverridesSchema, SITE_VALUES, unknownDatasets, withOverrides } from "../presentation";
import type { DatasetPresentation } from "../types";
import { openRecordingsIndex, type RecordingRow } from "./metadata-index";
import { localRecordingStore, PathOutsideRoot, type RecordingStore } from "./store";

export { localRecordingStore, PathOutsideRoot, type RecordingStore } from "./store";

/**
 * Call recordings (OP-01, "preuve de l'appel"): audio files on a share plus
 * the telephony platform's SQLite index. Found by phone number only — a
 * recording carries no email or name — and handed over as the original bytes:
 * a voice is personal data, a transcript would not be a copy of it.
 */
export const kind = "recordings";
export const DATASET = "recordings";

const nonEmpty = (what: string) =>
  z
    .string({ error: (iss) => (iss.input === undefined ? `required: ${what}` : `expected a string: ${what}`) })
    .min(1, `must not be empty: ${what}`);

export const ConfigSchema = z.strictObject(
  {
    id: z
      .string({ error: "required: the connector's id" })
      .regex(/^[a-z][a-z0-9-]{0,39}$/, "must be lower-case letters, digits and dashes, starting with a letter (at most 40)"),
    kind: z.literal(kind, { error: `expected "${kind}"` }),
    label: nonEmpty("the name staff see for this source"),
    root: nonEmpty("the folder holding the audio files"),
    index: nonEmpty("the path of the SQLite metadata index"),
    /** the readable copy's labels, over PRESENTATION's: { "recordings": { "title": …, "fields": { "surveyId": { "values": … } } } } */
    presentation: PresentationOverridesSchema.optional(),
  },
  { error: (iss) => (iss.code === "unrecognized_keys" ? `unknown field${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => `"${k}"`).join(", ")} for a recordings connector` : "expected an object") },
);
export type Config = z.infer<typeof ConfigSchema>;

/** What the readable copy calls a recording's fields (the record's own names stay in the JSON and CSV). */
export const PRESENTATION: Record<string, DatasetPresentation> = {
  [DATASET]: {
    title: { fr: "Enregistrements de vos appels", en: "Recordings of your calls" },
    unit: { fr: ["enregistrement", "enregistrements"], en: ["recording", "recordings"] },
    fields: {
      id: { label: { fr: "Numéro de l'enregistrement", en: "Recording number" }, format: "reference" },
      callerNumber: { label: { fr: "Numéro qui appelait", en: "Number calling" }, format: "phone" },
      calledNumber: { label: { fr: "Numéro appelé", en: "Number called" }, format: "phone" },
      agentId: { label: { fr: "Identifiant du conseiller", en: "Agent's identifier" } },
      site: { label: { fr: "Centre d'appels", en: "Call centre" }, values: SITE_VALUES },
      startedAt: { label: { fr: "Début de l'appel", en: "Call started" }, format: "instant" },
      durationSeconds: { label: { fr: "Durée", en: "Duration" }, format: "duration" },
      consentRecorded: { label: { fr: "Accord donné pour l'enregistrement", en: "Agreed to the recording" }, format: "boolean" },
      surveyId: { label: { fr: "Étude", en: "Survey" } },
      restricted: { label: { fr: "Traitement limité à votre demande", en: "Processing restricted at your request" }, format: "boolean" },
      audio: { label: { fr: "Fichier audio", en: "Audio file" }, format: "audio" },
    },
  },
};

/**
 * Portability (Art. 20, EDPB WP242 rev.01). The voice is what the person said,
 * captured as they said it: data provided by the subject. So each record names
 * its audio file in the `audio` field and lists that field as provided: the
 * portability archive keeps the file whose key is the record's. The file also
 * holds the agent's voice; an employee speaking for the company does not, in
 * our reading, stop the copy (Art. 20(4)) — the DPO may decide otherwise by
 * flipping this constant.
 *
 * The call's metadata — when it started, how long it lasted, the numbers, the
 * site that handled it, whether the person agreed to the recording — is what
 * the telephony platform observed of the person's call: "observed" data, which
 * WP242 puts in the portability subset too. The agent's identifier is an
 * employee's (Art. 20(4): the rights of others), the survey id and the
 * restriction flag are our own bookkeeping: none of them is portable.
 */
export const VOICE_IN_PORTABILITY = true;

/** What the platform recorded about the person's call (WP242 "observed"): in the portability archive. */
const OBSERVED_CALL_FIELDS = {
  callerNumber: "observed",
  calledNumber: "observed",
  site: "observed",
  startedAt: "observed",
  durationSeconds: "observed",
  consentRecorded: "observed",
} as const satisfies Record<string, PortabilityCategory>;

const E164 = /^\+[1-9]\d{6,14}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const CHUNK = 500;

const CONTENT_TYPES: Record<string, string> = {
  ".wav": "audio/wav",
  ".mp3": "audio/mpeg",
  ".ogg": "audio/ogg",
  ".opus": "audio/ogg",
  ".flac": "audio/flac",
  ".gsm": "audio/x-gsm",
};

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function isoInstant(raw: string | null): string | null {
  if (!raw || !ISO_INSTANT.test(raw)) return null;
  const t = Date.parse(raw);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** 2026-03-14_rec-42.wav: the day the call started (Paris), then the recording id. */
export function archiveName(id: string, startedAt: string | null, storedPath: string) {
  const day = startedAt ? instantToParisLocal(new Date(startedAt)).slice(0, 10) : "undated";
  return `${day}_${id.replace(/[^A-Za-z0-9._-]/g, "_")}${path.extname(storedPath).toLowerCase()}`;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : "unknown error");

export function create(config: Config, _secret?: (envName: string) => string | undefined, deps: { store?: RecordingStore } = {}): Connector {
  const unknown = unknownDatasets(PRESENTATION, config.presentation);
  if (unknown.length) throw new Error(`presentation: no dataset ${unknown.map((d) => `"${d}"`).join(", ")} (expected "${DATASET}")`);
  const store = deps.store ?? localRecordingStore(config.root);
  let db: Database.Database | undefined;
  let statements: ReturnType<typeof prepare> | undefined;

  function prepare(d: Database.Database) {
    return {
      byNumber: d.prepare<[{ phone: string }], { id: string }>(
        "SELECT id FROM recordings WHERE caller_number = @phone OR called_number = @phone ORDER BY started_at, id",
      ),
      one: d.prepare<[string], RecordingRow>("SELECT * FROM recordings WHERE id = ?"),
      otherUsersOfFile: d.prepare<[string, string], { one: number }>("SELECT 1 AS one FROM recordings WHERE path = ? AND id <> ? LIMIT 1"),
      deleteRow: d.prepare<[string]>("DELETE FROM recordings WHERE id = ?"),
      anonymizeRow: d.prepare<[string]>("UPDATE recordings SET caller_number = NULL, called_number = NULL, path = NULL WHERE id = ?"),
      probe: d.prepare("SELECT 1 FROM recordings LIMIT 1"),
      ages: d.prepare<[], { id: string; started_at: string | null; restricted: number }>("SELECT id, started_at, restricted FROM recordings ORDER BY started_at, id"),
    };
  }

  /** Opened on first use: a share that is not mounted yet must not stop the application from starting. */
  function stmts() {
    if (!statements) {
      try {
        db = openRecordingsIndex(config.index);
      } catch (error) {
        throw new ConnectorUnavailable(`recordings index cannot be opened: ${describe(error)}`);
      }
      statements = prepare(db);
    }
    return statements;
  }

  function rowsByIds(ids: string[]): RecordingRow[] {
    stmts();
    const out: RecordingRow[] = [];
    for (const part of chunks(ids, CHUNK)) {
      const sql = `SELECT * FROM recordings WHERE id IN (${part.map(() => "?").join(",")}) ORDER BY started_at, id`;
      out.push(...db!.prepare<string[], RecordingRow>(sql).all(...part));
    }
    return out;
  }

  const own = (matches: Match[]) => matches.filter((m) => m.connectorId === config.id && m.dataset === DATASET);

  /** Deletes the file unless another row still points at it (the demo shares files; real platforms do not). */
  async function removeFileOf(row: RecordingRow) {
    if (!row.path) return;
    if (stmts().otherUsersOfFile.get(row.path, row.id)) return;
    await store.remove(row.path);
  }

  async function exportRow(row: RecordingRow, sink: ExportSink) {
    const counts = { records: 0, files: 0, anomalies: 0 };
    const startedAt = isoInstant(row.started_at);
    if (row.started_at && !startedAt) {
      await sink.anomaly({ dataset: DATASET, key: row.id, field: "started_at", raw: row.started_at, expected: "ISO 8601 date-time" });
      counts.anomalies++;
    }

    let file: { name: string; size: number; storedPath: string } | null = null;
    if (row.path) {
      try {
        const s = await store.stat(row.path);
        if (s) file = { name: archiveName(row.id, startedAt, row.path), size: s.size, storedPath: row.path };
        else {
          await sink.anomaly({ dataset: DATASET, key: row.id, field: "path", raw: row.path, expected: "an audio file present in the recordings store" });
          counts.anomalies++;
        }
      } catch (error) {
        if (!(error instanceof PathOutsideRoot)) throw error;
        await sink.anomaly({ dataset: DATASET, key: row.id, field: "path", raw: row.path, expected: "a path inside the recordings root" });
        counts.anomalies++;
      }
    }

    const record: ExportRecord = {
      dataset: DATASET,
      key: row.id,
      fields: {
        id: row.id,
        callerNumber: row.caller_number,
        calledNumber: row.called_number,
        agentId: row.agent_id,
        site: row.site,
        startedAt,
        durationSeconds: row.duration_s,
        consentRecorded: row.consent_recorded === null ? null : row.consent_recorded === 1,
        surveyId: row.survey_id,
        restricted: row.restricted === 1,
        audio: file?.name ?? null,
      },
      providedBySubject: VOICE_IN_PORTABILITY && file ? ["audio"] : [],
      portability: { ...OBSERVED_CALL_FIELDS, ...(VOICE_IN_PORTABILITY && file ? { audio: "provided" } : {}) },
      // Art. 19: a survey call's recording is heard by the client the survey was run for.
      ...(row.survey_id ? { recipient: row.survey_id } : {}),
    };
    await sink.record(record);
    counts.records++;

    if (file) {
      const { storedPath } = file;
      await sink.file({
        dataset: DATASET,
        key: row.id,
        name: file.name,
        contentType: CONTENT_TYPES[path.extname(storedPath).toLowerCase()] ?? "application/octet-stream",
        size: file.size,
        open: () => store.open(storedPath),
      });
      counts.files++;
    }
    return counts;
  }

  return {
    id: config.id,
    kind,
    label: config.label,
    presentation: withOverrides(PRESENTATION, config.presentation),
    searchableBy: ["phone"],

    async health() {
      const started = performance.now();
      try {
        stmts().probe.get();
        await store.check();
        return { ok: true, latencyMs: Math.round(performance.now() - started) };
      } catch (error) {
        return { ok: false, latencyMs: Math.round(performance.now() - started), detail: describe(error) };
      }
    },

    async find(identity, signal) {
      signal.throwIfAborted();
      if (!identity.phone) return [];
      if (!E164.test(identity.phone)) throw new ConnectorUnavailable("recordings search needs a phone number in E.164 form", false);
      return stmts()
        .byNumber.all({ phone: identity.phone })
        .map((r) => ({ connectorId: config.id, dataset: DATASET, key: r.id, matchedOn: "phone" as const }));
    },

    async export(matches, sink, signal) {
      const total = { records: 0, files: 0, anomalies: 0 };
      const ids = [...new Set(own(matches).map((m) => m.key))];
      for (const part of chunks(ids, CHUNK)) {
        signal?.throwIfAborted();
        for (const row of rowsByIds(part)) {
          signal?.throwIfAborted();
          const c = await exportRow(row, sink);
          total.records += c.records;
          total.files += c.files;
          total.anomalies += c.anomalies;
        }
      }
      return total;
    },

    /**
     * File first, then the row: a crash in between leaves a row whose file is
     * gone, which the next run finishes. A recording whose path leaves the
     * root is reported failed and its row kept — we cannot prove the voice is
     * gone, and we never delete outside the root.
     */
    /** The voice is the person: a recording is deleted, file and row. */
    proposeErasure(matches) {
      return { steps: own(matches).map((match) => ({ match, action: { kind: "delete" as const } })) };
    },

    async erase(matches, plan: ErasurePlan) {
      const result: ErasureResult = { done: [], retained: [], failed: [] };
      for (const match of own(matches)) {
        const step = plan.steps.find((s) => s.match.connectorId === match.connectorId && s.match.dataset === match.dataset && s.match.key === match.key);
        if (!step) {
          result.failed.push({ match, error: "no erasure step planned for this recording" });
          continue;
        }
        try {
          if (step.action.kind === "retain") {
            result.retained.push(match);
            continue;
          }
          const s = stmts();
          const row = s.one.get(match.key);
          if (row) {
            await removeFileOf(row);
            // The voice cannot be masked: anonymising removes it and the numbers, keeping site, time and duration for statistics.
            if (step.action.kind === "delete") s.deleteRow.run(row.id);
            else s.anonymizeRow.run(row.id);
          }
          result.done.push(match);
        } catch (error) {
          result.failed.push({ match, error: describe(error) });
        }
      }
      return result;
    },

    retention: {
      dataset: DATASET,
      /**
       * Dates are read as the index stores them (ISO 8601 instants, any
       * offset) and compared as instants, not as text. A row with no readable
       * date is never called expired: it is counted, for staff to look at.
       */
      async listExpired(before, signal) {
        const expired: { dataset: string; key: string; at: string; restricted: boolean }[] = [];
        let undated = 0;
        for (const row of stmts().ages.iterate()) {
          const at = isoInstant(row.started_at);
          if (!at) {
            undated++;
            continue;
          }
          if (Date.parse(at) < before.getTime()) expired.push({ dataset: DATASET, key: row.id, at, restricted: row.restricted === 1 });
        }
        signal?.throwIfAborted();
        return { expired, undated };
      },

      /** As erase: the file first (unless another row still uses it), then the row; a restricted row is kept. */
      async deleteExpired(keys, before) {
        const out = { deleted: 0, gone: 0, kept: 0, failed: 0 };
        const s = stmts();
        for (const key of keys) {
          const row = s.one.get(key);
          if (!row) {
            out.gone++;
            continue;
          }
          const at = isoInstant(row.started_at);
          if (!at || Date.parse(at) >= before.getTime() || row.restricted === 1) {
            out.kept++;
            continue;
          }
          try {
            await removeFileOf(row);
            s.deleteRow.run(row.id);
            out.deleted++;
          } catch {
            // A path outside the root or an unreadable share: the row stays, so the next run tries again.
            out.failed++;
          }
        }
        return out;
      },
    },

    async restrict(matches, on) {
      stmts();
      const ids = [...new Set(own(matches).map((m) => m.key))];
      const update = db!.transaction((part: string[]) => {
        db!.prepare(`UPDATE recordings SET restricted = ? WHERE id IN (${part.map(() => "?").join(",")})`).run(on ? 1 : 0, ...part);
      });
      for (const part of chunks(ids, CHUNK)) update(part);
    },

    async close() {
      db?.close();
      db = undefined;
      statements = undefined;
    },
  };
}
