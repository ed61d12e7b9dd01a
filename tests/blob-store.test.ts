import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobError, LocalBlobStore, PgBlobStore, type BlobStore } from "../app/utils/blob-store.server";
import { createEmptyDatabase, PG_ADMIN_URL, postgresProbe } from "./helpers/postgres";

/**
 * The blob store's contract (ADR 0021), run against both stores: the local
 * directory (a temp dir) and PostgreSQL (a fresh database rd_blobs_<random>
 * on TEST_POSTGRES_URL, dropped afterwards; skipped with a message when the
 * server is unreachable, a failure when REQUIRE_SERVICES=1).
 */
const REQUIRE = process.env.REQUIRE_SERVICES === "1";
const PG_URL = PG_ADMIN_URL;
const MiB = 1 << 20;
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "..");

/**
 * The tables as the pg schema declares them (db/schema-pg/blobs.ts); the migration is generated from it, plus
 * the STORAGE line (drizzle cannot say it): chunks are ciphertext, so TOAST stores them without trying to compress.
 */
const DDL = `
CREATE TABLE blobs (key text PRIMARY KEY, bytes bigint NOT NULL, chunks integer NOT NULL, created_at bigint NOT NULL);
CREATE TABLE blob_chunks (key text NOT NULL, n integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (key, n));
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
`;

function withDatabase(url: string, database: string) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** `size` pseudo-random bytes, produced in pieces of odd sizes (never one buffer the size of the blob). */
function source(size: number, seed = 1, failAfter?: number): { stream: Readable; sha256: () => string } {
  const hash = createHash("sha256");
  let sent = 0;
  let piece = seed;
  const stream = new Readable({
    read() {
      if (failAfter !== undefined && sent >= failAfter) {
        this.destroy(new Error("source failed midway"));
        return;
      }
      if (sent >= size) {
        this.push(null);
        return;
      }
      const n = Math.min(size - sent, 100_000 + ((piece++ * 7919) % 200_000));
      const chunk = randomBytes(n);
      hash.update(chunk);
      sent += n;
      this.push(chunk);
    },
  });
  return { stream, sha256: () => hash.digest("hex") };
}

async function sha256Of(stream: Readable) {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

type Backend = { name: string; probe(): Promise<string | null>; open(): Promise<{ store: BlobStore; url?: string; cleanup(): Promise<void> }> };

const backends: Backend[] = [
  {
    name: "LocalBlobStore",
    probe: async () => null,
    async open() {
      const dir = mkdtempSync(path.join(os.tmpdir(), "rd-blobs-"));
      return { store: new LocalBlobStore(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: "PgBlobStore",
    probe: () => postgresProbe(PG_URL),
    async open() {
      const name = `rd_blobs_${randomBytes(5).toString("hex")}`;
      const url = withDatabase(PG_URL, name);
      await createEmptyDatabase(url);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(DDL);
      await c.end();
      const store = new PgBlobStore(url);
      return {
        store,
        url,
        async cleanup() {
          await store.close();
          const a = new pg.Client({ connectionString: PG_URL });
          await a.connect();
          await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await a.end();
        },
      };
    },
  },
];

function contract(backend: Backend) {
  let store: BlobStore;
  let url: string | undefined;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ store, url, cleanup } = await backend.open()));
  afterAll(async () => cleanup?.());

  it("gives back a multi-chunk blob byte for byte (3.5 MiB, streamed both ways)", async () => {
    const src = source(3.5 * MiB);
    expect(await store.put("gathered/12/crm/1-1-1.bin", src.stream)).toEqual({ bytes: 3.5 * MiB });
    const back = await sha256Of(await store.get("gathered/12/crm/1-1-1.bin"));
    expect(back).toEqual({ sha256: src.sha256(), bytes: 3.5 * MiB });
    expect(await store.exists("gathered/12/crm/1-1-1.bin")).toBe(true);
    // An empty blob is a blob.
    expect(await store.put("archives/empty.bin", Readable.from([]))).toEqual({ bytes: 0 });
    expect(await sha256Of(await store.get("archives/empty.bin"))).toMatchObject({ bytes: 0 });
  });

  it("says a missing blob is missing (blob_not_found), and never replaces one that exists", async () => {
    await expect(store.get("gathered/404/nothing.bin")).rejects.toMatchObject({ name: "BlobError", code: "blob_not_found" });
    expect(await store.exists("gathered/404/nothing.bin")).toBe(false);
    await store.put("archives/once.bin", Readable.from([Buffer.from("first")]));
    await expect(store.put("archives/once.bin", Readable.from([Buffer.from("second")]))).rejects.toMatchObject({ code: "blob_exists" });
    expect((await sha256Of(await store.get("archives/once.bin"))).bytes).toBe(5);
    // Deleting what is not there is not an error.
    await store.delete("gathered/404/nothing.bin");
    await store.delete("archives/once.bin");
    await expect(store.get("archives/once.bin")).rejects.toBeInstanceOf(BlobError);
  });

  it("deletes by prefix only what starts with it, with _ and % taken literally", async () => {
    const put = (k: string) => store.put(k, Readable.from([Buffer.from(k)]));
    for (const k of ["p/7/a.bin", "p/7/sub/b.bin", "p/70/c.bin", "p/8/d.bin", "q/a_b/x.bin", "q/aXb/y.bin", "q/a-b/z.bin", "q/ab/w.bin"]) await put(k);
    expect(await store.deleteByPrefix("p/7/")).toBe(2);
    expect((await store.list("p/")).map((b) => b.key)).toEqual(["p/70/c.bin", "p/8/d.bin"]);
    // "_" is one character and "%" any string to LIKE: neither may reach q/aXb/ or q/ab/.
    expect((await store.list("q/a_")).map((b) => b.key)).toEqual(["q/a_b/x.bin"]);
    expect(await store.deleteByPrefix("q/a_b/")).toBe(1);
    expect(await store.deleteByPrefix("q/a_")).toBe(0);
    // "%" is no key's character: such a prefix is refused, never a wildcard.
    await expect(store.deleteByPrefix("q/a%")).rejects.toMatchObject({ code: "blob_bad_key" });
    expect((await store.list("q/")).map((b) => b.key)).toEqual(["q/a-b/z.bin", "q/ab/w.bin", "q/aXb/y.bin"].sort());
    const listed = await store.list("q/ab/");
    expect(listed).toMatchObject([{ key: "q/ab/w.bin", bytes: "q/ab/w.bin".length }]);
    expect(listed[0]!.createdAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("refuses keys that are not plain relative names", async () => {
    for (const bad of ["", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "a/", "a\\b", "C:\\x", ".hidden", "a/.part", "a/b\u0000"]) {
      await expect(store.put(bad, Readable.from([Buffer.from("x")])), JSON.stringify(bad)).rejects.toMatchObject({ code: "blob_bad_key" });
      await expect(store.get(bad)).rejects.toMatchObject({ code: "blob_bad_key" });
    }
    await expect(store.deleteByPrefix("../")).rejects.toMatchObject({ code: "blob_bad_key" });
    await expect(store.deleteByPrefix("")).rejects.toMatchObject({ code: "blob_bad_key" });
  });

  it("keeps nothing of a put whose source fails midway (2.5 MiB in)", async () => {
    const src = source(4 * MiB, 3, 2.5 * MiB);
    await expect(store.put("gathered/13/broken.bin", src.stream)).rejects.toThrow("source failed midway");
    await expect(store.get("gathered/13/broken.bin")).rejects.toMatchObject({ code: "blob_not_found" });
    expect(await store.list("gathered/13/")).toEqual([]);
    if (store instanceof LocalBlobStore) expect(readdirSync(path.join(store.dir, "gathered", "13"))).toEqual([]);
    if (url) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        expect((await c.query("SELECT count(*)::int AS n FROM blob_chunks WHERE key = 'gathered/13/broken.bin'")).rows[0].n).toBe(0);
      } finally {
        await c.end();
      }
    }
  });

  if (backend.name === "PgBlobStore")
    it("serves a blob one process wrote to two other node processes reading it at once", async () => {
      const src = source(2.25 * MiB, 5);
      await store.put("archives/shared.zip.enc", src.stream);
      const expected = src.sha256();
      const reader = `
        import { PgBlobStore } from ${JSON.stringify(path.join(root, "app/utils/blob-store.server.ts"))};
        import { createHash } from "node:crypto";
        const store = new PgBlobStore(process.env.BLOB_URL);
        const hash = createHash("sha256");
        for await (const c of await store.get("archives/shared.zip.enc")) hash.update(c);
        console.log(hash.digest("hex"));
        await store.close();
      `;
      const child = () => run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", reader], { cwd: root, encoding: "utf8", env: { PATH: process.env.PATH, NODE_ENV: "test", BLOB_URL: url, LOG_LEVEL: "silent" } });
      const outs = await Promise.all([child(), child()]);
      expect(outs.map((o) => o.stdout.trim())).toEqual([expected, expected]);
    }, 60_000);
}

describe("copying an installation's blobs from the local store to PostgreSQL", async () => {
  const unreachable = await backends[1]!.probe();
  it.skipIf(unreachable !== null && !REQUIRE)("copies what is missing, byte for byte, and a second run copies nothing", async () => {
    const local = await backends[0]!.open();
    const remote = await backends[1]!.open();
    try {
      const a = source(1.5 * MiB, 7);
      await local.store.put("gathered/5/1-1-1.bin", a.stream);
      await local.store.put("archives/5-1-access.zip.enc", Readable.from([Buffer.from("zip")]));
      await local.store.put("other/left.bin", Readable.from([Buffer.from("not ours")]));
      const { copyBlobs } = await import("../app/utils/blob-store.server");
      expect(await copyBlobs(local.store, remote.store, "gathered/")).toEqual({ copied: 1, skipped: 0, bytes: 1.5 * MiB });
      expect(await copyBlobs(local.store, remote.store, "archives/")).toMatchObject({ copied: 1 });
      expect(await copyBlobs(local.store, remote.store, "gathered/")).toEqual({ copied: 0, skipped: 1, bytes: 0 });
      expect((await sha256Of(await remote.store.get("gathered/5/1-1-1.bin"))).sha256).toBe(a.sha256());
      expect(await remote.store.exists("other/left.bin")).toBe(false);
    } finally {
      await local.cleanup();
      await remote.cleanup();
    }
  });
});

for (const backend of backends) {
  const unreachable = await backend.probe();
  const title = `blob store contract: ${backend.name}`;
  if (unreachable && REQUIRE) {
    describe(title, () => {
      it("needs PostgreSQL (REQUIRE_SERVICES=1)", () => {
        throw new Error(`PostgreSQL is not reachable at ${PG_URL}: ${unreachable}. Start it, or point TEST_POSTGRES_URL at a server.`);
      });
    });
    continue;
  }
  if (unreachable) console.warn(`[blob-store] skipping the ${backend.name} tests: ${PG_URL} is not reachable (${unreachable}). Set TEST_POSTGRES_URL, or REQUIRE_SERVICES=1 to make this a failure.`);
  describe.skipIf(unreachable !== null)(title, () => contract(backend));
}
