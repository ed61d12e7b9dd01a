import Database from "better-sqlite3";

/**
 * The telephony platform's metadata index: one row per recorded call. Numbers
 * are E.164; started_at is an ISO 8601 instant; path is relative to the
 * store's root. `restricted` is ours (Art. 18): added when absent.
 */
export const CREATE_RECORDINGS_TABLE = `
CREATE TABLE IF NOT EXISTS recordings (
  id TEXT PRIMARY KEY,
  caller_number TEXT,
  called_number TEXT,
  agent_id TEXT,
  site TEXT,
  started_at TEXT,
  duration_s INTEGER,
  consent_recorded INTEGER,
  survey_id TEXT,
  path TEXT
)`;

/**
 * caller_number is how inbound calls are found; called_number serves outbound
 * survey calls, where the subject is the one called; path lets erasure see
 * whether another row still uses a file before deleting it.
 */
export const CREATE_RECORDINGS_INDEXES = [
  "CREATE INDEX IF NOT EXISTS recordings_caller_number_idx ON recordings (caller_number)",
  "CREATE INDEX IF NOT EXISTS recordings_called_number_idx ON recordings (called_number)",
  "CREATE INDEX IF NOT EXISTS recordings_path_idx ON recordings (path)",
];

export type RecordingRow = {
  id: string;
  caller_number: string | null;
  called_number: string | null;
  agent_id: string | null;
  site: string | null;
  started_at: string | null;
  duration_s: number | null;
  consent_recorded: number | null;
  survey_id: string | null;
  path: string | null;
  restricted: number;
};

/** Opens an existing index (never creates one: a missing file is a configuration error, not an empty source). */
export function openRecordingsIndex(file: string): Database.Database {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('recordings')").all();
    if (columns.length === 0) throw new Error("recordings index has no recordings table");
    if (!columns.some((c) => c.name === "restricted")) db.exec("ALTER TABLE recordings ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0");
    // Indexes the lookups rely on; cheap no-ops when the platform already made them.
    for (const sql of CREATE_RECORDINGS_INDEXES) db.exec(sql);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
