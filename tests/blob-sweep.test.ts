import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The daily sweep of blobs nothing names (ADR 0021): what a failed delete or
 * a process dying between a put and its row left behind goes; what a row
 * names, what is too young to judge, and what the application did not write
 * stay. On the local store, whose files an operator can see.
 */
const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-sweep-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sweeping orphan blobs", () => {
  it("deletes only old blobs of the application's own names that no row names", async () => {
    Object.assign(process.env, { APP_ENV: "test", APP_SECRET: "sweep-secret-long-enough-0123456789abcdef", DATA_DIR: dir, DATABASE_URL: `file:${dir}/db.sqlite`, LOG_LEVEL: "silent", BASE_URL: "http://127.0.0.1:9", BLOB_STORE: "local" });
    const { resetEnvForTests } = await import("../app/utils/env.server");
    const { closeDb, db, first } = await import("../app/utils/db.server");
    resetEnvForTests();
    closeDb();
    const { verifiedTicket } = await import("./helpers/tickets");
    const { gatherJobs } = await import("../db/schema/gather");
    const { createGatherSink, readGathered } = await import("../app/services/gather-store.server");
    const { sweepOrphanBlobs } = await import("../app/services/blob-sweep.server");
    const { blobStore } = await import("../app/utils/blob-store.server");

    const t = await verifiedTicket();
    const job = (await first(db().insert(gatherJobs).values({ requestId: t.id, connectorId: "recordings", status: "done", queuedAt: new Date(), attempts: 1 }).returning()))!;
    const sink = createGatherSink(db(), { ...job, attempts: 1 });
    await sink.file({ dataset: "calls", key: "call-1", name: "call-1.wav", contentType: "audio/wav", size: 5, open: () => Readable.from([Buffer.from("RIFF!")]) });
    const named = `gathered/${t.id}/${job.id}-1-1.bin`;
    expect(existsSync(path.join(dir, named))).toBe(true);

    const put = (key: string) => blobStore().put(key, Readable.from([Buffer.from("left behind")]));
    const orphans = [`gathered/${t.id}/${job.id}-0-1.bin`, `archives/${t.id}-1700000000000-access.zip.enc`];
    const kept = [`archives/operator-copy.zip`, `gathered/${t.id}/${job.id}-0-2.bin`];
    for (const k of [...orphans, ...kept]) await put(k);
    // A put killed mid-write left its temporary file; a younger one may be a put in progress.
    const crashed = path.join(dir, `gathered/${t.id}/.${job.id}-0-3.bin.0123456789ab.part`);
    const writing = path.join(dir, `gathered/${t.id}/.${job.id}-0-4.bin.ba9876543210.part`);
    for (const f of [crashed, writing]) writeFileSync(f, "half");
    const old = new Date(Date.now() - 2 * 3_600_000);
    for (const k of [named, ...orphans, kept[0]!]) utimesSync(path.join(dir, k), old, old);
    utimesSync(crashed, old, old);

    expect(await sweepOrphanBlobs({ db: db() })).toBe(2);
    for (const k of orphans) expect(existsSync(path.join(dir, k)), k).toBe(false);
    expect(existsSync(crashed)).toBe(false);
    expect(existsSync(writing)).toBe(true);
    // Named by a row, not the application's name, too young to judge: all there.
    for (const k of [named, ...kept]) expect(existsSync(path.join(dir, k)), k).toBe(true);
    const [file] = (await readGathered(db(), t.id)).files;
    const chunks: Buffer[] = [];
    for await (const c of file!.open()) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("RIFF!");
  });
});
