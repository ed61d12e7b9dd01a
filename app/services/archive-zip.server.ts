import archiver from "archiver";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { PassThrough, Readable, Transform, type Writable } from "node:stream";
import type { FieldValue } from "../connectors/types";
import { csvText } from "../utils/csv";
import { useNativeZipCrc } from "../utils/zip-crc.server";

/**
 * Writing the archive's ZIP: entries streamed one at a time (JSON and CSV
 * record by record, files from their decrypting stream), each hashed on the
 * way in. What goes in is archive.server.ts's business; this module only
 * knows entries, streams and failures.
 */

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
// JSON and CSV, written record by record

/** Joins small strings into ~64 KiB buffers: fewer, larger writes into the deflater. */
export function textStream(parts: Iterable<string>): Readable {
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

export function* jsonArray(rows: Record<string, FieldValue>[]) {
  yield "[";
  for (let i = 0; i < rows.length; i++) yield `${i ? "," : ""}\n  ${JSON.stringify(rows[i])}`;
  yield "\n]\n";
}

/** Every field name of the rows, in the order first met. */
export function headerOf(rows: Record<string, FieldValue>[]): string[] {
  const header: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const name of Object.keys(row)) {
      if (seen.has(name)) continue;
      seen.add(name);
      header.push(name);
    }
  }
  return header;
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
export function* csvTable(rows: Record<string, FieldValue>[]) {
  const header = headerOf(rows);
  yield `\uFEFF${header.map(csvText).join(",")}\r\n`;
  for (const row of rows) yield `${header.map((h) => csvText(row[h])).join(",")}\r\n`;
}

// ---------------------------------------------------------------------------
// The zip writer

type Written = { size: number; sha256: string };
export type Finished = { size: number; sha256?: string };

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

/**
 * Where the zip goes: a file (created, never replaced), or a consumer that
 * takes the byte stream and resolves once it is stored (the blob store's put;
 * destroying the stream makes it keep nothing).
 */
export type ZipTarget = string | ((stream: Readable) => Promise<unknown>);

export function openZip(target: ZipTarget, date: Date, idleTimeoutMs: number, opts: { seal?: Transform; hashZip?: boolean } = {}) {
  useNativeZipCrc();
  const archive = archiver("zip", { zlib: { level: 6 }, highWaterMark: CHUNK });
  const output: Writable = typeof target === "string" ? createWriteStream(target, { flags: "wx", mode: 0o600, highWaterMark: 2 * CHUNK }) : new PassThrough({ highWaterMark: 2 * CHUNK });
  // The consumer's promise settles once it has stored everything (or failed, and kept nothing).
  const stored = typeof target === "string" ? undefined : target(output as PassThrough);
  const settled = stored?.then(
    () => undefined,
    () => undefined,
  );
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
  stored?.catch(fail);
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
      const closed = stored ?? new Promise<void>((resolve) => output.once("close", () => resolve()));
      await Promise.race([archive.finalize(), failure]);
      await Promise.race([closed, failure]);
      return { size: bytes, sha256: whole?.digest("hex") };
    },

    /** Stops everything; resolves once the file is closed (or the consumer has given up), so it can be deleted. */
    async abort() {
      current?.destroy();
      archive.abort();
      opts.seal?.destroy();
      if (settled) {
        output.destroy(new Error("archive aborted"));
        await settled;
        return;
      }
      if (output.closed) return;
      await new Promise<void>((resolve) => {
        output.once("close", () => resolve());
        output.destroy();
      });
    },
  };
}
