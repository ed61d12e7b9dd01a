import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigSchema, create, DATASET, localRecordingStore, PathOutsideRoot } from "../../app/connectors/recordings";
import { createDemoRecordings, DEMO_CALLERS } from "../../app/connectors/recordings/demo";
import { readWavHeader, WAV_HEADER_BYTES } from "../../app/connectors/recordings/wav";
import type { Connector, Match } from "../../app/connectors/types";
import { collectingSink, configProblems, deletePlan, signal } from "../helpers/connector-calls";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let dir: string;
let root: string;
let indexFile: string;
let connector: Connector;

function rows(sql: string, ...params: unknown[]) {
  const db = new Database(indexFile, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}
function exec(sql: string, ...params: unknown[]) {
  const db = new Database(indexFile);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-recordings-"));
  root = path.join(dir, "audio");
  indexFile = path.join(dir, "index.sqlite");
  createDemoRecordings({ root, index: indexFile, count: 40, realAudio: 12, seed: 7 });
  connector = create(ConfigSchema.parse({ id: "recordings", kind: "recordings", label: "Enregistrements", root, index: indexFile }), () => undefined);
});

afterEach(async () => {
  await connector.close?.();
  rmSync(dir, { recursive: true, force: true });
});

describe("recordings connector", () => {
  it("finds a person's calls by phone, inbound and outbound, and nothing by email", async () => {
    const matches = await connector.find({ phone: DEMO_CALLERS.davidBlanc, email: "david.blanc@example.fr" }, signal());
    const expected = rows("SELECT id FROM recordings WHERE caller_number = ? OR called_number = ?", DEMO_CALLERS.davidBlanc, DEMO_CALLERS.davidBlanc).map((r) => r.id);
    expect(matches.map((m) => m.key).sort()).toEqual([...expected].sort());
    expect(matches.length).toBe(3);
    expect(new Set(matches.map((m) => m.matchedOn))).toEqual(new Set(["phone"]));
    expect(matches.every((m) => m.connectorId === "recordings" && m.dataset === DATASET)).toBe(true);
    // Corinne's survey call is outbound: she is the called party.
    const corinne = await connector.find({ phone: DEMO_CALLERS.corinneDesmarc }, signal());
    expect(corinne.length).toBe(2);
    expect(await connector.find({ email: "desmarc.corinne@orange.fr" }, signal())).toEqual([]);
    await expect(connector.find({ phone: "06 12 34 56 78" }, signal())).rejects.toThrow(/E\.164/);
  });

  it("exports metadata and streams the original bytes of a valid WAV file", async () => {
    const matches = await connector.find({ phone: DEMO_CALLERS.nadiaAzri }, signal());
    const got = collectingSink();
    const summary = await connector.export(matches, got.sink);
    expect(summary).toEqual({ records: 2, files: 2, anomalies: 0 });

    const record = got.records[0]!;
    expect(record.providedBySubject).toEqual(["audio"]);
    // The call's metadata is observed (WP242); the agent's id and our flags are not portable.
    expect(record.portability).toEqual({
      audio: "provided",
      callerNumber: "observed",
      calledNumber: "observed",
      site: "observed",
      startedAt: "observed",
      durationSeconds: "observed",
      consentRecorded: "observed",
    });
    expect(record.fields.startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(record.fields.calledNumber).toBe(DEMO_CALLERS.nadiaAzri);
    expect(got.records.map((r) => r.fields.consentRecorded).sort()).toEqual([false, true]);

    for (const f of got.files) {
      const [row] = rows("SELECT path, started_at FROM recordings WHERE id = ?", f.key);
      const onDisk = readFileSync(path.join(root, String(row!.path)));
      expect(sha256(f.bytes)).toBe(sha256(onDisk));
      expect(f.size).toBe(onDisk.length);
      expect(f.contentType).toBe("audio/wav");
      expect(f.name).toBe(`${String(row!.started_at).slice(0, 10)}_${f.key}.wav`);
      expect(got.records.find((r) => r.key === f.key)!.fields.audio).toBe(f.name);

      const h = readWavHeader(f.bytes.subarray(0, WAV_HEADER_BYTES))!;
      expect(h).not.toBeNull();
      expect(h.formatTag).toBe(1);
      expect(h.channels).toBe(1);
      expect(h.bitsPerSample).toBe(16);
      expect([8000, 16000]).toContain(h.sampleRate);
      expect(h.byteRate).toBe(h.sampleRate * 2);
      expect(h.blockAlign).toBe(2);
      expect(h.riffSize).toBe(f.size - 8);
      expect(h.dataBytes).toBe(f.size - WAV_HEADER_BYTES);
      const seconds = h.dataBytes / h.byteRate;
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(3);
    }
  });

  it("erases file and row, and a second run (or a file already gone) is still done", async () => {
    const matches = await connector.find({ phone: DEMO_CALLERS.davidBlanc }, signal());
    const files = matches.map((m) => path.join(root, String(rows("SELECT path FROM recordings WHERE id = ?", m.key)[0]!.path)));
    expect(files.every((f) => existsSync(f))).toBe(true);
    unlinkSync(files[0]!); // a crash after the file, before the row

    const first = await connector.erase(matches, deletePlan(matches));
    expect(first).toEqual({ done: matches, retained: [], failed: [] });
    expect(files.some((f) => existsSync(f))).toBe(false);
    expect(rows("SELECT id FROM recordings WHERE caller_number = ? OR called_number = ?", DEMO_CALLERS.davidBlanc, DEMO_CALLERS.davidBlanc)).toEqual([]);

    expect(await connector.erase(matches, deletePlan(matches))).toEqual({ done: matches, retained: [], failed: [] });
    expect(await connector.find({ phone: DEMO_CALLERS.davidBlanc }, signal())).toEqual([]);
  });

  it("keeps a file other rows still point at, and honours retain and the absence of a plan step", async () => {
    const shared = rows("SELECT id, path FROM recordings WHERE path LIKE 'shared/%' ORDER BY id LIMIT 1")[0]!;
    const match: Match = { connectorId: "recordings", dataset: DATASET, key: String(shared.id), matchedOn: "phone" };
    expect((await connector.erase([match], deletePlan([match]))).done).toEqual([match]);
    expect(existsSync(path.join(root, String(shared.path)))).toBe(true);

    const [a, b] = await connector.find({ phone: DEMO_CALLERS.corinneDesmarc }, signal());
    const result = await connector.erase([a!, b!], { steps: [{ match: a!, action: { kind: "retain", legalBasis: "litige en cours", until: "2027-01-01" } }] });
    expect(result.retained).toEqual([a]);
    expect(result.failed).toEqual([{ match: b, error: "no erasure step planned for this recording" }]);
    expect(rows("SELECT id FROM recordings WHERE id IN (?, ?)", a!.key, b!.key).length).toBe(2);
  });

  it("refuses index paths that escape the root, and deletes nothing outside it", async () => {
    const outside = path.join(dir, "outside.wav");
    writeFileSync(outside, "not yours");
    mkdirSync(path.join(root, "links"), { recursive: true });
    symlinkSync(outside, path.join(root, "links", "sneaky.wav"));
    const insert = `INSERT INTO recordings (id, caller_number, called_number, agent_id, site, started_at, duration_s, consent_recorded, survey_id, path)
                    VALUES (?, '+33600000001', '+33247600000', 'agt-tours-01', 'tours', '2026-03-14T10:00:00.000Z', 2, 1, NULL, ?)`;
    exec(insert, "rec-evil-1", "../../etc/passwd");
    exec(insert, "rec-evil-2", "../outside.wav");
    exec(insert, "rec-evil-3", "/etc/passwd");
    exec(insert, "rec-evil-4", "links/sneaky.wav");

    const store = localRecordingStore(root);
    for (const p of ["../../etc/passwd", "../outside.wav", "/etc/passwd", "links/sneaky.wav"]) {
      await expect(store.stat(p)).rejects.toBeInstanceOf(PathOutsideRoot);
      expect(() => store.open(p)).toThrow(PathOutsideRoot);
      await expect(store.remove(p)).rejects.toBeInstanceOf(PathOutsideRoot);
    }

    const matches = await connector.find({ phone: "+33600000001" }, signal());
    expect(matches.length).toBe(4);
    const got = collectingSink();
    expect(await connector.export(matches, got.sink)).toEqual({ records: 4, files: 0, anomalies: 4 });
    expect(got.anomalies.every((a) => a.field === "path" && a.expected === "a path inside the recordings root")).toBe(true);
    expect(got.records.every((r) => r.fields.audio === null && r.providedBySubject.length === 0)).toBe(true);

    const result = await connector.erase(matches, deletePlan(matches));
    expect(result.done).toEqual([]);
    expect(result.failed.map((f) => f.error)).toEqual(Array(4).fill("recording path escapes the storage root"));
    expect(readFileSync(outside, "utf8")).toBe("not yours");
    expect(existsSync("/etc/passwd")).toBe(true);
    expect(rows("SELECT id FROM recordings WHERE id LIKE 'rec-evil-%'").length).toBe(4);
  });

  it("reports a missing file and an unparseable date instead of guessing", async () => {
    exec(
      `INSERT INTO recordings (id, caller_number, called_number, agent_id, site, started_at, duration_s, consent_recorded, survey_id, path)
       VALUES ('rec-legacy', '+33600000002', '+33320450000', 'agt-lille-02', 'lille', '14/03/2026 10:12', 60, 0, NULL, 'lille/old/rec-legacy.wav')`,
    );
    const matches = await connector.find({ phone: "+33600000002" }, signal());
    const got = collectingSink();
    expect(await connector.export(matches, got.sink)).toEqual({ records: 1, files: 0, anomalies: 2 });
    expect(got.anomalies.map((a) => [a.field, a.raw])).toEqual([
      ["started_at", "14/03/2026 10:12"],
      ["path", "lille/old/rec-legacy.wav"],
    ]);
    expect(got.records[0]!.fields.startedAt).toBeNull();
  });

  it("restricts and lifts restriction through a column it adds", async () => {
    const matches = await connector.find({ phone: DEMO_CALLERS.corinneDesmarc }, signal());
    await connector.restrict!(matches, true);
    expect(rows("SELECT restricted FROM recordings WHERE called_number = ? OR caller_number = ?", DEMO_CALLERS.corinneDesmarc, DEMO_CALLERS.corinneDesmarc).map((r) => r.restricted)).toEqual([1, 1]);
    const got = collectingSink();
    await connector.export(matches, got.sink);
    expect(got.records.every((r) => r.fields.restricted === true)).toBe(true);
    await connector.restrict!(matches, false);
    expect(rows("SELECT sum(restricted) AS n FROM recordings")[0]!.n).toBe(0);
  });

  it("reports health: index and root", async () => {
    expect(await connector.health()).toMatchObject({ ok: true });
    const broken = create(ConfigSchema.parse({ id: "rec-2", kind: "recordings", label: "R", root: path.join(dir, "nope"), index: indexFile }), () => undefined);
    expect(await broken.health()).toMatchObject({ ok: false });
    const noIndex = create(ConfigSchema.parse({ id: "rec-3", kind: "recordings", label: "R", root, index: path.join(dir, "missing.sqlite") }), () => undefined);
    expect(await noIndex.health()).toMatchObject({ ok: false, detail: expect.stringMatching(/index cannot be opened/) });
    expect(existsSync(path.join(dir, "missing.sqlite"))).toBe(false);
    await broken.close?.();
  });

  it("writes the same demo bytes for the same seed, and leaves an existing index alone", () => {
    const other = path.join(dir, "again");
    const result = createDemoRecordings({ root: path.join(other, "audio"), index: path.join(other, "index.sqlite"), count: 40, realAudio: 12, seed: 7 });
    expect(result).toMatchObject({ created: true, rows: 40, files: 12 + 8 });
    const p = String(rows("SELECT path FROM recordings WHERE id = 'rec-000001'")[0]!.path);
    expect(sha256(readFileSync(path.join(other, "audio", p)))).toBe(sha256(readFileSync(path.join(root, p))));
    expect(statSync(path.join(root, p)).size).toBeGreaterThan(WAV_HEADER_BYTES);
    expect(createDemoRecordings({ root, index: indexFile, count: 40, seed: 7 })).toMatchObject({ created: false, rows: 40 });
  });
});

describe("recordings configuration", () => {
  const valid = { id: "recordings", kind: "recordings", label: "Enregistrements", root: "/srv/audio", index: "/srv/audio/index.sqlite" };
  const problems = (entry: unknown) => configProblems(ConfigSchema, entry);

  it("accepts a complete entry", () => {
    expect(problems(valid)).toEqual([]);
  });

  it("names the field at fault", () => {
    expect(problems({ ...valid, root: undefined })).toEqual(["root: required: the folder holding the audio files"]);
    expect(problems({ ...valid, index: 42 })).toEqual(["index: expected a string: the path of the SQLite metadata index"]);
    expect(problems({ ...valid, index: "" })).toEqual(["index: must not be empty: the path of the SQLite metadata index"]);
    expect(problems({ ...valid, kind: "crm-http" })).toEqual(['kind: expected "recordings"']);
    expect(problems({ ...valid, indx: "x" })).toEqual([': unknown field "indx" for a recordings connector']);
  });
});
