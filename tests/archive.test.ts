import Database from "better-sqlite3";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { blobBytes, replaceBlob } from "./helpers/blobs";
import { blobStore } from "../app/utils/blob-store.server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import { eq } from "drizzle-orm";
import { gatheredItems } from "../db/schema/gather";
import { seedRegister } from "../scripts/seed-register";
import { VOICE_IN_PORTABILITY } from "../app/connectors/recordings";
import { ArchiveBuildError, buildArchive, safePathSegment, type ArchiveKind, type Manifest } from "../app/services/archive.server";
import { registerDatasetId } from "../app/services/register.server";
import { entriesFor } from "../app/services/audit.server";
import { DomainError } from "../app/services/errors";
import { closeConnectors, connectors } from "../app/utils/connectors.server";
import { csvField } from "../app/utils/csv";
import { nativeCrc32, useNativeZipCrc } from "../app/utils/zip-crc.server";
import { startApp, textOf, type TestApp } from "./helpers/app";
import { corinneInPerson as corinneInPersonFor, drainGather, withDemoConnectors, gatherAll, controllersInstruct } from "./helpers/connectors";
import { signedIn } from "./helpers/staff";
import { ticketRow, verifiedTicket } from "./helpers/tickets";
import { parseCsv } from "./helpers/csv";

/**
 * The archives end to end: a real gather over the three demo connectors
 * (CRM through msw), a real zip on disk, read back with an independent
 * reader (yauzl) and with Info-ZIP's `unzip -t`.
 */
let app: TestApp;
let recordingsRoot: string;
let outDir: string;

beforeAll(async () => {
  app = await startApp();
  ({ recordingsRoot } = await withDemoConnectors(app));
  await seedRegister(app.db(), new Date());
  outDir = mkdtempSync(path.join(app.dir, "archives-"));
});
afterAll(async () => {
  await closeConnectors();
  await app?.stop();
});

const drain = () => drainGather(app);

const corinneInPerson = () => corinneInPersonFor(app, ["access", "portability"]);

async function gathered(reference: string, browser: Awaited<ReturnType<typeof corinneInPerson>>["browser"]) {
  await gatherAll(app, browser, reference);
  await controllersInstruct(app, browser, reference);
  return (await ticketRow(reference)).id;
}

// --- reading a zip back, independently of archiver --------------------------

type ReadEntry = { name: string; method: number; size: number; bytes: Buffer; sha256: string };

function readZip(file: string): Promise<Map<string, ReadEntry>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out = new Map<string, ReadEntry>();
      zip.on("error", reject);
      zip.on("end", () => resolve(out));
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const hash = createHash("sha256");
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => {
            hash.update(c);
            chunks.push(c);
          });
          stream.on("error", reject);
          stream.on("end", () => {
            out.set(entry.fileName, { name: entry.fileName, method: entry.compressionMethod, size: entry.uncompressedSize, bytes: Buffer.concat(chunks), sha256: hash.digest("hex") });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}


const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

function checkManifest(zip: Map<string, ReadEntry>): Manifest {
  const manifest = JSON.parse(zip.get("manifest.json")!.bytes.toString("utf8")) as Manifest;
  // Every listed file is there with its size and hash; every entry but the manifest is listed.
  for (const f of manifest.files) {
    const e = zip.get(f.path);
    expect(e, f.path).toBeDefined();
    expect(e!.size).toBe(f.size);
    expect(e!.bytes.length).toBe(f.size);
    expect(e!.sha256).toBe(f.sha256);
  }
  expect(new Set([...manifest.files.map((f) => f.path), "manifest.json"])).toEqual(new Set(zip.keys()));
  for (const name of zip.keys()) {
    expect(name).toMatch(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/);
    expect(name.split("/")).not.toContain("..");
  }
  return manifest;
}

function dataOf(zip: Map<string, ReadEntry>, p: string) {
  const json = JSON.parse(zip.get(`${p}.json`)!.bytes.toString("utf8")) as Record<string, unknown>[];
  const csvBytes = zip.get(`${p}.csv`)!.bytes;
  expect(csvBytes.subarray(0, 3).equals(BOM)).toBe(true);
  const csv = parseCsv(csvBytes.subarray(3).toString("utf8"));
  return { json, header: csv[0]!, rows: csv.slice(1) };
}

function unzipTest(file: string) {
  if (!existsSync("/usr/bin/unzip")) {
    console.log("unzip -t skipped: /usr/bin/unzip is not installed");
    return;
  }
  const report = execFileSync("/usr/bin/unzip", ["-t", file], { encoding: "utf8" });
  expect(report).toMatch(/No errors detected/);
}

async function build(requestId: number, kind: ArchiveKind, label: string) {
  const out = path.join(outDir, `${label}-${kind}.zip`);
  const started = performance.now();
  const built = await buildArchive({ db: app.db(), requestId, kind, out, now: new Date(), registry: connectors(), hashZip: true });
  console.log(`[archive] ${label} ${kind}: ${built.bytes} bytes, ${built.files} entries, built in ${Math.round(performance.now() - started)} ms`);
  return built;
}

// -----------------------------------------------------------------------------

describe("the access archive", () => {
  it("holds every gathered record and the original audio, readable by independent tools", async () => {
    const { reference, browser } = await corinneInPerson();
    const requestId = await gathered(reference, browser);
    const built = await build(requestId, "access", "corinne");
    expect(readFileSync(built.path).subarray(0, 4).toString("latin1")).toBe("PK\u0003\u0004");
    expect(sha256(readFileSync(built.path))).toBe(built.sha256);
    expect(readFileSync(built.path).length).toBe(built.bytes);
    expect(readdirSync(outDir).filter((f) => f.endsWith(".part"))).toEqual([]);

    const zip = await readZip(built.path);
    expect(zip.get("manifest.json")!.sha256).toBe(built.manifestSha256);
    const manifest = checkManifest(zip);
    expect(manifest.reference).toBe(reference);
    expect(manifest.kind).toBe("access");
    expect(built.files).toBe(zip.size);
    expect(manifest.files).toEqual(built.entries);

    // The survey's answers and the CRM's interactions, as JSON and as CSV saying the same.
    const answers = dataOf(zip, "data/survey/answers");
    expect(answers.json.map((a) => a.answer)).toEqual(["OUI", "Facebook", "Plusieurs fois par jour", "est intrusive"]);
    expect(answers.header).toEqual(Object.keys(answers.json[0]!));
    expect(answers.rows.map((r) => r[answers.header.indexOf("answer")])).toEqual(answers.json.map((a) => a.answer));
    // ISO dates: the Tours operator's 14/03/2026 as the connector read it.
    expect(answers.json.map((a) => a.answered_at)).toEqual(Array(4).fill("2026-03-14"));
    const interactions = dataOf(zip, "data/crm/interactions");
    expect(interactions.json.map((i) => i.summary)).toContain("Questionnaire Osiris : entretien complet.");
    expect(interactions.rows.every((r) => r.length === interactions.header.length)).toBe(true);
    const respondents = dataOf(zip, "data/survey/respondents");
    expect(respondents.json[0]!.address).toBe("2, place de l'Église"); // a comma: quoted in the CSV, read back whole
    expect(respondents.rows[0]![respondents.header.indexOf("address")]).toBe("2, place de l'Église");
    const contacts = dataOf(zip, "data/crm/contacts");
    expect(contacts.json).toHaveLength(1);

    // Recordings: the original bytes, stored (method 0), and the same as the file on the share.
    const audio = manifest.files.filter((f) => f.path.startsWith("recordings/"));
    expect(audio.length).toBeGreaterThanOrEqual(2);
    const index = new Database(path.join(recordingsRoot, "index.sqlite"), { readonly: true });
    try {
      for (const f of audio) {
        const e = zip.get(f.path)!;
        expect(e.method).toBe(0);
        expect(e.bytes.subarray(0, 4).toString("latin1")).toBe("RIFF");
        expect(e.bytes.subarray(8, 12).toString("latin1")).toBe("WAVE");
        const row = index.prepare<[string], { path: string }>("SELECT path FROM recordings WHERE id = ?").get(f.record!)!;
        expect(sha256(readFileSync(path.join(recordingsRoot, row.path)))).toBe(e.sha256);
        expect(f.connector).toBe("recordings");
        expect(f.gatheredAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      }
      // Text entries are deflated.
      expect(zip.get("data/survey/answers.json")!.method).toBe(8);
    } finally {
      index.close();
    }

    // The cover letter, in the request's language (issue 16: a short letter, a paragraph in English);
    // Art. 15 from the register for the operations holding her data, on the page it links to.
    const html = zip.get("LISEZ-MOI.html")!.bytes.toString("utf8");
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="fr">/);
    expect(html).toMatch(/<title>[^<]+DSR-\d{4}-\d{6}<\/title>/);
    expect(html).toContain('<section lang="en"');
    const text = textOf(html);
    expect(text).toContain(reference);
    expect(text).toContain("CNIL");
    expect(text).toContain("www.cnil.fr/fr/plaintes");
    expect(text).toContain("Aucune décision fondée exclusivement sur un traitement automatisé");
    expect(html).toContain('href="lire/survey-answers.html"');
    expect(html).toContain('href="lire/traitements.html"');
    expect(text).not.toContain("Desmarc");
    const register = textOf(zip.get("lire/traitements.html")!.bytes.toString("utf8"));
    expect(register).toContain("Preuve de l'appel"); // OP-01, recordings:calls
    expect(register).toContain("Réaliser les études de marché"); // OP-02, sql-survey:answers
    expect(register).toContain("Tenir l'historique des contacts"); // OP-06, crm-http
    expect(register).toContain("Recevoir, vérifier et traiter les demandes"); // OP-07, every requester
    expect(register).not.toContain("Desmarc");

    unzipTest(built.path);

    // Audited, without personal data.
    const entry = (await entriesFor(app.db(), reference)).find((e) => e.action === "archive.built")!;
    expect(entry.details).toEqual({ kind: "access", files: built.files, bytes: built.bytes });
  });

  it("lists the values it could not read, raw, with the expected format (the ComPlus mobile-app dates)", async () => {
    // Corinne's answers were typed day-first by an operator and all read. David Blanc's came from
    // the mobile app, month first: 03/13/2026 fits no declared format (demo fixture, ticket n° 1).
    const t = await verifiedTicket({ email: "David.Blanc@example.fr", rights: ["access", "portability"] });
    const { browser } = await signedIn(app, "dpo");
    const requestId = await gathered(t.reference, browser);

    const access = await readZip((await build(requestId, "access", "david")).path);
    const manifest = checkManifest(access);
    const dates = manifest.anomalies.filter((a) => a.connector === "survey" && a.field === "answered_at");
    expect(dates.length).toBeGreaterThanOrEqual(1);
    expect(dates.map((a) => a.raw)).toContain("03/13/2026");
    expect(dates[0]!.expected).toMatch(/dd\/mm\/yyyy/);
    expect(dates[0]!.dataset).toBe("answers");
    // Not guessed: the unreadable date is empty in the data, the person sees the raw text in the manifest.
    const answers = dataOf(access, "data/survey/answers");
    expect(answers.json.filter((a) => a.answered_at === null)).toHaveLength(dates.length);
    expect(textOf(access.get("LISEZ-MOI.html")!.bytes.toString("utf8"))).toMatch(/\d+ valeurs? n'/);

    // answered_at is observed data (when he answered): in the portability archive too, so is its anomaly.
    const portableZip = await readZip((await build(requestId, "portability", "david")).path);
    const portable = checkManifest(portableZip);
    expect(portable.anomalies.filter((a) => a.field === "answered_at")).toEqual(dates);
    expect(textOf(portableZip.get("LISEZ-MOI.html")!.bytes.toString("utf8"))).toMatch(/\d+ valeurs? n'/);
  });
});

describe("the portability archive", () => {
  it("holds what the person provided and what was observed, with its context, and the voice as the recordings connector decides", async () => {
    const { reference, browser } = await corinneInPerson();
    const requestId = await gathered(reference, browser);
    const built = await build(requestId, "portability", "corinne");
    const zip = await readZip(built.path);
    const manifest = checkManifest(zip);
    expect(manifest.kind).toBe("portability");
    expect(manifest.files).toEqual(built.entries);

    // Each answer with the question it answers (context) and when (observed); never our record numbers.
    const answers = dataOf(zip, "data/survey/answers");
    expect(answers.header).toEqual(["question", "answer", "answered_at"]);
    expect(answers.json.map((a) => a.answer)).toContain("Facebook");
    const respondents = dataOf(zip, "data/survey/respondents");
    expect(respondents.header).toEqual(expect.arrayContaining(["email", "survey_client", "site", "created_at", "source_channel"]));
    expect(respondents.header).not.toContain("id");
    const contacts = dataOf(zip, "data/crm/contacts");
    expect(contacts.header).not.toContain("id");
    // The interaction history is observed (date, channel); the agents' notes and ids are not hers to port.
    const interactions = dataOf(zip, "data/crm/interactions");
    expect(interactions.header).toEqual(["at", "channel"]);
    expect(JSON.stringify(JSON.parse(zip.get("manifest.json")!.bytes.toString("utf8")))).not.toContain("entretien complet");
    expect(zip.get("data/crm/interactions.json")!.bytes.toString("utf8")).not.toContain("agt-");

    const audio = manifest.files.filter((f) => f.path.startsWith("recordings/"));
    if (VOICE_IN_PORTABILITY) {
      expect(audio.length).toBeGreaterThan(0);
      // Each file is linked to its record through the key: the record's `audio` field names it.
      const recordings = dataOf(zip, "data/recordings/recordings");
      expect(recordings.header).toEqual(expect.arrayContaining(["audio", "startedAt", "durationSeconds", "consentRecorded"]));
      expect(recordings.header).not.toContain("agentId");
      expect(new Set(recordings.json.filter((r) => r.audio).map((r) => `recordings/${r.audio}`))).toEqual(new Set(audio.map((f) => f.path)));
      for (const f of audio) expect(zip.get(f.path)!.method).toBe(0);
    } else expect(audio).toEqual([]);

    const text = textOf(zip.get("LISEZ-MOI.html")!.bytes.toString("utf8"));
    expect(text).toContain("article 20");
    expect(text).toContain("Article 20");
    expect(text).not.toContain("Preuve de l'appel");
    unzipTest(built.path);
  });
});

describe("failures", () => {
  it("refuses to build before the gather has finished", async () => {
    const { reference, browser } = await corinneInPerson();
    const requestId = (await ticketRow(reference)).id;
    const out = path.join(outDir, "too-early.zip");
    await expect(buildArchive({ db: app.db(), requestId, kind: "access", out, now: new Date(), registry: connectors() })).rejects.toMatchObject({ code: "conflict", detail: { reason: "not_gathered" } });
    await browser.post(`/admin/demandes/${reference}`, { intent: "gather" });
    const err = await buildArchive({ db: app.db(), requestId, kind: "access", out, now: new Date(), registry: connectors() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: "conflict", detail: { reason: "gather_incomplete" } });
    expect(existsSync(out)).toBe(false);
    await drain();
  });

  it("leaves no file behind when a gathered recording fails its authentication tag", async () => {
    const { reference, browser } = await corinneInPerson();
    const requestId = await gathered(reference, browser);
    const stored = (await app.db().select().from(gatheredItems).where(eq(gatheredItems.requestId, requestId))).find((i) => i.kind === "file")!;
    const bytes = await blobBytes(stored.filePath!);
    bytes[bytes.length - 1]! ^= 0xff;
    await replaceBlob(stored.filePath!, bytes);

    const out = path.join(outDir, "tampered.zip");
    const err = await buildArchive({ db: app.db(), requestId, kind: "access", out, now: new Date(), registry: connectors() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveBuildError);
    expect((err as ArchiveBuildError).code).toBe("source_unreadable");
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(outDir).filter((f) => f.endsWith(".part"))).toEqual([]);
    expect((await entriesFor(app.db(), reference)).map((e) => e.action)).not.toContain("archive.built");
  });

  it("fails before writing anything when a gathered file is gone from the disk", async () => {
    const { reference, browser } = await corinneInPerson();
    const requestId = await gathered(reference, browser);
    const stored = (await app.db().select().from(gatheredItems).where(eq(gatheredItems.requestId, requestId))).find((i) => i.kind === "file")!;
    await blobStore().delete(stored.filePath!);
    const out = path.join(outDir, "missing.zip");
    const err = await buildArchive({ db: app.db(), requestId, kind: "access", out, now: new Date(), registry: connectors() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveBuildError);
    expect((err as ArchiveBuildError).code).toBe("source_unreadable");
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(outDir).filter((f) => f.endsWith(".part"))).toEqual([]);
  });
});

describe("names and formats", () => {
  it("computes archiver's CRC-32 natively, with the contract of the crc-32 package it replaces", async () => {
    useNativeZipCrc();
    const req = createRequire(import.meta.url);
    for (const owner of ["crc32-stream", "compress-commons"]) {
      const crc = createRequire(req.resolve(owner))("crc-32") as { buf(b: Uint8Array, seed?: unknown): number };
      expect(crc.buf).toBe(nativeCrc32);
      // The textbook check value, and a bitwise reference: signed results, the previous CRC as seed.
      expect(crc.buf(Buffer.from("123456789")) >>> 0).toBe(0xcbf43926);
      const data = Buffer.from("123456789 — données d'appel, enregistrées le 14/03", "utf8");
      expect(crc.buf(data)).toBe(referenceCrc32(data) | 0);
      // crc32-stream seeds its first call with a Buffer: that means "start".
      expect(crc.buf(data.subarray(20), crc.buf(data.subarray(0, 20), Buffer.alloc(4)))).toBe(referenceCrc32(data) | 0);
    }
  });

  it("maps connector datasets to the register's ids", () => {
    expect(registerDatasetId("recordings", "recordings")).toBe("recordings:calls");
    expect(registerDatasetId("sql-survey", "answers")).toBe("sql-survey:answers");
    expect(registerDatasetId("crm-http", "interactions")).toBe("crm-http:interactions");
  });

  it("keeps entry names ASCII, relative and free of '..'", () => {
    expect(safePathSegment("..")).toBe("item");
    expect(safePathSegment("../../etc/passwd")).toBe("etc-passwd");
    expect(safePathSegment("/abs")).toBe("abs");
    expect(safePathSegment("Réponses été")).toBe("Reponses-ete");
    expect(safePathSegment("2026-03-14_rec-42.wav")).toBe("2026-03-14_rec-42.wav");
    expect(safePathSegment("")).toBe("item");
  });

  it("quotes CSV fields as RFC 4180 says", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\r\nlines")).toBe('"two\r\nlines"');
    expect(csvField(null)).toBe("");
    expect(csvField(false)).toBe("false");
    expect(parseCsv(`${["x", csvField('a,"b"\nc')].join(",")}\r\n`)).toEqual([["x", 'a,"b"\nc']]);
  });
});

/** CRC-32 (IEEE 802.3, reflected, 0xEDB88320) bit by bit: slow and obviously right. */
function referenceCrc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
