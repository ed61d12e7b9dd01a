import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { link, lstat, mkdir, open, readdir, rm, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { PassThrough, Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { env } from "./env.server";
import { log } from "./log.server";

/**
 * Where files rest (ADR 0021): gathered files and archives, as opaque bytes
 * (the services encrypt before `put` and decrypt after `get`). Keys are
 * relative ("gathered/12/3-1-1.bin", "archives/12-…zip.enc"), never paths of
 * one machine, so the same row names the same bytes on every process.
 *
 * The contract both stores keep:
 * - `put` streams (never the whole file in memory) and is all or nothing: a
 *   reader never sees half a blob, and a source that fails leaves no blob;
 * - a key is written once: `put` on an existing key fails (`blob_exists`);
 * - `get` on a missing key fails with `blob_not_found`;
 * - `delete` and `deleteByPrefix` of what is not there are not errors.
 */
export type BlobErrorCode = "blob_not_found" | "blob_exists" | "blob_bad_key" | "blob_truncated";

export class BlobError extends Error {
  constructor(
    public readonly code: BlobErrorCode,
    options?: { cause?: unknown },
  ) {
    super(code, options);
    this.name = "BlobError";
  }
}

export type BlobInfo = { key: string; bytes: number; createdAt: Date };

export interface BlobStore {
  readonly kind: "local" | "postgres";
  put(key: string, source: Readable): Promise<{ bytes: number }>;
  get(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Deletes every blob whose key starts with `prefix` (literally: no wildcards); returns how many. */
  deleteByPrefix(prefix: string): Promise<number>;
  list(prefix: string): Promise<BlobInfo[]>;
  close(): Promise<void>;
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * A key is relative, made of plain names: no absolute path, no "." or "..",
 * no backslash, no empty segment, no segment starting with "." (the local
 * store's temporary files do), so it can never leave the store's root.
 */
export function checkKey(key: string): string {
  if (typeof key !== "string" || key.length === 0 || key.length > 512) throw new BlobError("blob_bad_key");
  const segments = key.split("/");
  if (!segments.every((s) => SEGMENT.test(s) && s !== "." && s !== "..")) throw new BlobError("blob_bad_key");
  return key;
}

/** A prefix is a key's beginning: the same rules, and it may end with "/" (a whole folder). */
export function checkPrefix(prefix: string): string {
  if (typeof prefix !== "string" || prefix.length === 0) throw new BlobError("blob_bad_key");
  checkKey(prefix.endsWith("/") ? prefix.slice(0, -1) : prefix);
  return prefix;
}

/** `get` as a stream returned at once: a missing blob is an error on the stream the caller reads. */
export function readBlob(store: BlobStore, key: string): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  store.get(key).then(
    (source) => {
      // The reader may have given up before the blob was open: nothing is left open behind it.
      if (out.destroyed) return void source.destroy();
      source.on("error", (e) => out.destroy(e));
      out.on("close", () => source.destroy());
      source.pipe(out);
    },
    (e: unknown) => out.destroy(e as Error),
  );
  return out;
}

// ---------------------------------------------------------------- local ---

/**
 * Files under one directory (DATA_DIR): the layout installations already have
 * (gathered/<request>/…, archives/…). A blob is written to a hidden temporary
 * name beside its final one, flushed to disk, then linked into place (link,
 * unlike rename, refuses an existing name), so a reader sees the whole file or
 * nothing.
 */
export class LocalBlobStore implements BlobStore {
  readonly kind = "local";
  constructor(readonly dir: string) {}

  private file(key: string) {
    return path.join(this.dir, ...checkKey(key).split("/"));
  }

  async put(key: string, source: Readable): Promise<{ bytes: number }> {
    const file = this.file(key);
    let tmp: string | undefined;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.part`);
      let bytes = 0;
      const count = new Transform({
        highWaterMark: 1 << 20,
        transform(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          cb(null, chunk);
        },
      });
      await pipeline(source, count, createWriteStream(tmp, { flags: "wx", mode: 0o600, highWaterMark: 1 << 20 }));
      const handle = await open(tmp, "r");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await link(tmp, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new BlobError("blob_exists", { cause: error });
        throw error;
      }
      return { bytes };
    } catch (error) {
      source.destroy();
      throw error;
    } finally {
      if (tmp) await rm(tmp, { force: true }).catch(() => {});
    }
  }

  async get(key: string): Promise<Readable> {
    const file = this.file(key);
    let handle;
    try {
      handle = await open(file, "r");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") throw new BlobError("blob_not_found", { cause: error });
      throw error;
    }
    return handle.createReadStream({ highWaterMark: 1 << 20 });
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.file(key))).isFile();
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.file(key));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
    }
  }

  async deleteByPrefix(prefix: string): Promise<number> {
    const found = await this.list(prefix);
    for (const b of found) await this.delete(b.key);
    // A whole folder goes with what is left in it (a crashed put's temporary file).
    if (prefix.endsWith("/")) await rm(path.join(this.dir, ...prefix.slice(0, -1).split("/")), { recursive: true, force: true });
    return found.length;
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    checkPrefix(prefix);
    // Walk only the folder the prefix names (or the one its last segment is in).
    const base = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix.split("/").slice(0, -1).join("/");
    const out: BlobInfo[] = [];
    const walk = async (rel: string) => {
      let entries;
      try {
        entries = await readdir(path.join(this.dir, ...(rel ? rel.split("/") : [])), { withFileTypes: true });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") return;
        throw error;
      }
      for (const e of entries) {
        if (e.name.startsWith(".")) continue; // temporary files of puts in progress (or crashed)
        const key = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) await walk(key);
        } else if (e.isFile() && key.startsWith(prefix)) {
          const s = await lstat(path.join(this.dir, ...key.split("/")));
          out.push({ key, bytes: s.size, createdAt: s.mtime });
        }
      }
    };
    await walk(base);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Temporary files of puts that never finished (a process killed mid-write), older than `before`, under `prefix`. */
  async removeStaleTemporaries(prefix: string, before: Date): Promise<number> {
    checkPrefix(prefix);
    let removed = 0;
    const walk = async (abs: string) => {
      let entries;
      try {
        entries = await readdir(abs, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = path.join(abs, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.isFile() && TEMPORARY.test(e.name) && (await lstat(full)).mtime < before) {
          await rm(full, { force: true });
          removed++;
        }
      }
    };
    await walk(path.join(this.dir, ...prefix.replace(/\/$/, "").split("/")));
    return removed;
  }

  async close() {}
}

/** The local store's temporary names: `.<name>.<12 hex>.part`. */
const TEMPORARY = /^\..+\.[0-9a-f]{12}\.part$/;

// ------------------------------------------------------------- postgres ---

/** Bytes per row of blob_chunks: large enough for few rows, small enough that a reader holds little. */
export const PG_CHUNK_BYTES = 1 << 20;

/** LIKE's wildcards and its escape character, escaped: a prefix matches literally. */
export function likePrefix(prefix: string) {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * PostgreSQL as the blob store (ADR 0021): a blob is `blobs` (one row, written
 * last) plus `blob_chunks` (1 MiB each). `put` runs in a transaction of its
 * own connection, so a blob is visible whole or not at all, and a crash or a
 * failing source leaves nothing. `get` reads a few chunks per query, holding
 * no connection between them.
 */
export class PgBlobStore implements BlobStore {
  readonly kind = "postgres";
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;

  constructor(source: pg.Pool | string, private readonly chunkBytes = PG_CHUNK_BYTES) {
    this.ownsPool = typeof source === "string";
    this.pool = typeof source === "string" ? new pg.Pool({ connectionString: source, max: 4, allowExitOnIdle: true }) : source;
    // An idle connection dropped by the server must not crash the process; idle connections never keep it alive (allowExitOnIdle).
    if (this.ownsPool) this.pool.on("error", (e) => log.warn("blob.pg_idle_error", { code: (e as { code?: string }).code ?? "unknown" }));
  }

  async put(key: string, source: Readable): Promise<{ bytes: number }> {
    checkKey(key);
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      try {
        if ((await client.query("SELECT 1 FROM blobs WHERE key = $1", [key])).rowCount) throw new BlobError("blob_exists");
        let n = 0;
        let bytes = 0;
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        const flush = async (data: Buffer) => {
          await client.query("INSERT INTO blob_chunks (key, n, data) VALUES ($1, $2, $3)", [key, n++, data]);
        };
        for await (const part of source) {
          let chunk = Buffer.isBuffer(part) ? part : Buffer.from(part as string);
          bytes += chunk.length;
          while (pendingBytes + chunk.length >= this.chunkBytes) {
            const take = this.chunkBytes - pendingBytes;
            pending.push(chunk.subarray(0, take));
            await flush(Buffer.concat(pending, this.chunkBytes));
            chunk = chunk.subarray(take);
            pending = [];
            pendingBytes = 0;
          }
          if (chunk.length) {
            pending.push(chunk);
            pendingBytes += chunk.length;
          }
        }
        if (pendingBytes) await flush(Buffer.concat(pending, pendingBytes));
        // Last: until this row commits, the blob does not exist for anyone.
        await client.query("INSERT INTO blobs (key, bytes, chunks, created_at) VALUES ($1, $2, $3, $4)", [key, bytes, n, Date.now()]);
        await client.query("COMMIT");
        return { bytes };
      } catch (error) {
        source.destroy();
        await client.query("ROLLBACK").catch((e: Error) => (broken = e));
        // Two puts of one key: the second waits for the first, then collides on its primary key.
        if ((error as { code?: string }).code === "23505") throw new BlobError("blob_exists", { cause: error });
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  async get(key: string): Promise<Readable> {
    checkKey(key);
    const head = await this.pool.query<{ bytes: string; chunks: number }>("SELECT bytes, chunks FROM blobs WHERE key = $1", [key]);
    const row = head.rows[0];
    if (!row) throw new BlobError("blob_not_found");
    const total = Number(row.bytes);
    const pool = this.pool;
    async function* chunks() {
      let read = 0;
      for (let n = 0; n < row!.chunks; n++) {
        // One chunk per query: bytea arrives as a hex string twice its size, so a reader holds about
        // 3 MiB at a time (four chunks per query held four times that, and an archive build's memory grew).
        const got = await pool.query<{ data: Buffer }>("SELECT data FROM blob_chunks WHERE key = $1 AND n = $2", [key, n]);
        // Deleted while being read: an error, never a shorter file that looks whole.
        const data = got.rows[0]?.data;
        if (!data) throw new BlobError("blob_truncated");
        read += data.length;
        yield data;
      }
      if (read !== total) throw new BlobError("blob_truncated");
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  async exists(key: string): Promise<boolean> {
    checkKey(key);
    return ((await this.pool.query("SELECT 1 FROM blobs WHERE key = $1", [key])).rowCount ?? 0) > 0;
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    await this.inTx(async (c) => {
      await c.query("DELETE FROM blobs WHERE key = $1", [key]);
      await c.query("DELETE FROM blob_chunks WHERE key = $1", [key]);
    });
  }

  async deleteByPrefix(prefix: string): Promise<number> {
    const like = likePrefix(checkPrefix(prefix));
    return await this.inTx(async (c) => {
      const gone = await c.query("DELETE FROM blobs WHERE key LIKE $1 ESCAPE '\\'", [like]);
      await c.query("DELETE FROM blob_chunks WHERE key LIKE $1 ESCAPE '\\'", [like]);
      return gone.rowCount ?? 0;
    });
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const like = likePrefix(checkPrefix(prefix));
    const rows = await this.pool.query<{ key: string; bytes: string; created_at: string }>("SELECT key, bytes, created_at FROM blobs WHERE key LIKE $1 ESCAPE '\\' ORDER BY key", [like]);
    return rows.rows.map((r) => ({ key: r.key, bytes: Number(r.bytes), createdAt: new Date(Number(r.created_at)) }));
  }

  async close() {
    if (this.ownsPool) await this.pool.end();
  }

  private async inTx<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await c.query("BEGIN");
      try {
        const result = await work(c);
        await c.query("COMMIT");
        return result;
      } catch (error) {
        await c.query("ROLLBACK").catch((e: Error) => (broken = e));
        throw error;
      }
    } finally {
      c.release(broken);
    }
  }
}

/**
 * Copies every blob under `prefix` that `to` does not hold yet (moving an
 * installation: `db copy` from SQLite and DATA_DIR to PostgreSQL). Streams,
 * one blob at a time; run again after a failure, it goes on where it stopped.
 */
export async function copyBlobs(from: BlobStore, to: BlobStore, prefix: string): Promise<{ copied: number; skipped: number; bytes: number }> {
  const result = { copied: 0, skipped: 0, bytes: 0 };
  for (const b of await from.list(prefix)) {
    if (await to.exists(b.key)) {
      result.skipped++;
      continue;
    }
    result.bytes += (await to.put(b.key, await from.get(b.key))).bytes;
    result.copied++;
  }
  return result;
}

// ------------------------------------------------------------ selection ---

let current: { config: string; store: BlobStore } | undefined;

/** The configured store (BLOB_STORE, see env.server.ts): one per process and configuration. */
export function blobStore(): BlobStore {
  const e = env();
  const config = e.BLOB_STORE === "postgres" ? `postgres ${e.DATABASE_URL}` : `local ${e.DATA_DIR}`;
  if (current?.config !== config) {
    const previous = current?.store;
    current = { config, store: e.BLOB_STORE === "postgres" ? new PgBlobStore(e.DATABASE_URL) : new LocalBlobStore(e.DATA_DIR) };
    void previous?.close().catch(() => {});
  }
  return current.store;
}

/** Ends the configured store's connections (a command that is done, a test that switches configuration). */
export async function closeBlobStore(): Promise<void> {
  const store = current?.store;
  current = undefined;
  await store?.close();
}

/**
 * A stored name as a key. Rows written before the blob store held absolute
 * paths under DATA_DIR: they name the same file, relative to it.
 */
export function blobKeyOf(stored: string): string {
  if (!path.isAbsolute(stored)) return stored;
  const rel = path.relative(env().DATA_DIR, stored);
  return rel.split(path.sep).join("/");
}

/**
 * Deletes blobs whose rows are gone (called after the transaction that
 * removed them committed). A failure is logged, with no key (keys carry
 * request ids) and never thrown at the user: what stays is an orphan the
 * sweep removes later (sweepOrphanBlobs).
 */
export async function discardBlobs(what: { keys?: (string | null | undefined)[]; prefixes?: string[] }, event = "blob.delete_failed"): Promise<void> {
  const store = blobStore();
  let failed = 0;
  let code = "";
  for (const k of what.keys ?? []) {
    if (!k) continue;
    try {
      await store.delete(blobKeyOf(k));
    } catch (error) {
      failed++;
      code = (error as { code?: string }).code ?? "unknown";
    }
  }
  for (const p of what.prefixes ?? []) {
    try {
      await store.deleteByPrefix(p);
    } catch (error) {
      failed++;
      code = (error as { code?: string }).code ?? "unknown";
    }
  }
  if (failed) log.warn(event, { store: store.kind, failed, code });
}
