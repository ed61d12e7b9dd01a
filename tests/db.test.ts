import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { outbox } from "../db/schema/outbox";
import { auditLog } from "../db/schema/audit";
import { groupCommit, insertReturning, insertRow } from "../app/utils/db.server";
import Database from "better-sqlite3";
import { requestEvents } from "../db/schema/requests";
import { openDatabase } from "../app/utils/db.server";

const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-db-"));
const { sqlite, db } = openDatabase(`file:${path.join(dir, "t.sqlite")}`);
const other = openDatabase(`file:${path.join(dir, "other.sqlite")}`);
afterAll(() => {
  sqlite.close();
  other.sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the statement cache behind drizzle", () => {
  it("hands back the compiled statement for the same SQL", () => {
    expect(sqlite.prepare("SELECT 1 AS x")).toBe(sqlite.prepare("SELECT 1 AS x"));
  });

  it("hands back a reader in its default mode, whatever the last user switched it to", () => {
    sqlite.prepare("SELECT 2 AS y").raw(true);
    expect(sqlite.prepare("SELECT 2 AS y").get()).toEqual({ y: 2 });
  });

  it("gives a fresh statement while the cached one is still iterating", () => {
    sqlite.exec("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3);");
    const seen: number[] = [];
    for (const row of sqlite.prepare("SELECT n FROM t ORDER BY n").iterate() as Iterable<{ n: number }>) {
      const again = sqlite.prepare("SELECT n FROM t ORDER BY n").all() as { n: number }[];
      seen.push(row.n * 10 + again.length);
    }
    expect(seen).toEqual([13, 23, 33]);
  });
});

describe("inserts prepared once (insertRow, insertReturning)", () => {
  const message = (to: string, at: Date) => ({ channel: "email" as const, recipient: to, template: "t", subject: "s", text: "x", html: null, requestId: null, nextAttemptAt: at, createdAt: at });

  it("store dates and JSON as drizzle's own insert does, and hand back the row mapped", () => {
    const at = new Date("2026-03-29T01:30:00.123Z");
    const row = insertReturning(db, outbox, message("a@example.fr", at));
    expect(row).toMatchObject({ recipient: "a@example.fr", status: "pending", attempts: 0, html: null });
    expect(row.createdAt).toEqual(at);
    const second = insertReturning(db, outbox, message("b@example.fr", at));
    expect(second.id).toBe(row.id + 1);
    insertRow(db, auditLog, { seq: 1, at, actorKind: "system", actorId: null, action: "ticket.filed", reference: null, details: { nested: ["é", 1] }, prevHash: "p", hash: "h" });
    const raw = sqlite.prepare("SELECT at, details FROM audit_log").get() as { at: number; details: string };
    expect(raw).toEqual({ at: at.getTime(), details: '{"nested":["é",1]}' });
  });

  it("leave out undefined values, so the column's default applies", () => {
    const at = new Date();
    const row = insertReturning(db, outbox, { ...message("c@example.fr", at), attempts: undefined });
    expect(row.attempts).toBe(0);
  });

  it("run inside the caller's transaction and are undone with it", () => {
    const before = db.select().from(outbox).all().length;
    expect(() =>
      db.transaction((tx) => {
        insertRow(tx, outbox, message("rolled-back@example.fr", new Date()));
        expect(tx.select().from(outbox).where(eq(outbox.recipient, "rolled-back@example.fr")).all()).toHaveLength(1);
        throw new Error("abort");
      }),
    ).toThrow("abort");
    expect(db.select().from(outbox).all()).toHaveLength(before);
  });

  it("write to the database they are given, not the first one they were prepared on", () => {
    insertRow(db, outbox, message("first@example.fr", new Date()));
    insertRow(other.db, outbox, message("second@example.fr", new Date()));
    expect(other.db.select({ to: outbox.recipient }).from(outbox).all()).toEqual([{ to: "second@example.fr" }]);
    expect(db.select().from(outbox).where(eq(outbox.recipient, "second@example.fr")).all()).toHaveLength(0);
  });
});

describe("group commit (groupCommit)", () => {
  const message = (to: string) => ({ channel: "email" as const, recipient: to, template: "t", subject: "s", text: "x", html: null, requestId: null, nextAttemptAt: new Date(), createdAt: new Date() });
  const stored = (to: string) => db.select().from(outbox).where(eq(outbox.recipient, to)).all().length;

  it("commits the writes of one moment together, and answers each caller with its own result", async () => {
    const file = path.join(dir, "t.sqlite");
    const seenFromOutside: number[] = [];
    const results = await Promise.all(
      ["g1@example.fr", "g2@example.fr", "g3@example.fr"].map((to) =>
        groupCommit(db, () => {
          // Another connection (another process) sees nothing of this moment until the one commit.
          const outside = new Database(file, { readonly: true });
          seenFromOutside.push((outside.prepare("SELECT count(*) AS n FROM outbox WHERE recipient LIKE 'g_@example.fr'").get() as { n: number }).n);
          outside.close();
          return insertReturning(db, outbox, message(to)).recipient;
        }),
      ),
    );
    expect(results).toEqual(["g1@example.fr", "g2@example.fr", "g3@example.fr"]);
    expect(seenFromOutside).toEqual([0, 0, 0]);
    expect(["g1@example.fr", "g2@example.fr", "g3@example.fr"].map(stored)).toEqual([1, 1, 1]);
  });

  it("undoes and rejects only the job that failed; the others of the moment are kept", async () => {
    const outcomes = await Promise.allSettled([
      groupCommit(db, () => insertRow(db, outbox, message("kept-before@example.fr"))),
      groupCommit(db, () => {
        insertRow(db, outbox, message("undone@example.fr"));
        throw new Error("invalid input");
      }),
      groupCommit(db, () => insertRow(db, outbox, message("kept-after@example.fr"))),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error("invalid input"));
    expect([stored("kept-before@example.fr"), stored("undone@example.fr"), stored("kept-after@example.fr")]).toEqual([1, 0, 1]);
  });

  it("tells every caller of the moment when the commit itself fails, and writes none of them", async () => {
    const outcomes = await Promise.allSettled([
      groupCommit(db, () => insertRow(db, outbox, message("lost-1@example.fr"))),
      groupCommit(db, () => {
        // A foreign key checked only at commit: the commit fails, not the job.
        sqlite.pragma("defer_foreign_keys = ON");
        insertRow(db, requestEvents, { requestId: 999_999, at: new Date(), type: "t", actor: "system", data: {} });
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(stored("lost-1@example.fr")).toBe(0);
    expect(sqlite.inTransaction).toBe(false);
  });
});
