import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { outbox } from "../db/schema/outbox";
import { auditLog } from "../db/schema/audit";
import { groupCommit, insertReturning, insertRow, withTx } from "../app/utils/db.server";
import Database from "better-sqlite3";
import { requestEvents } from "../db/schema/requests";
import { openDatabase } from "../app/utils/db.server";

const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-db-"));
const main = openDatabase(`file:${path.join(dir, "t.sqlite")}`);
const { sqlite, db } = main;
const other = openDatabase(`file:${path.join(dir, "other.sqlite")}`);
afterAll(() => {
  main.close();
  other.close();
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

  it("store dates and JSON as drizzle's own insert does, and hand back the row mapped", async () => {
    const at = new Date("2026-03-29T01:30:00.123Z");
    const row = await insertReturning(db, outbox, message("a@example.fr", at));
    expect(row).toMatchObject({ recipient: "a@example.fr", status: "pending", attempts: 0, html: null });
    expect(row.createdAt).toEqual(at);
    const second = await insertReturning(db, outbox, message("b@example.fr", at));
    expect(second.id).toBe(row.id + 1);
    await insertRow(db, auditLog, { seq: 1, at, actorKind: "system", actorId: null, action: "ticket.filed", reference: null, details: { nested: ["é", 1] }, prevHash: "p", hash: "h" });
    const raw = sqlite.prepare("SELECT at, details FROM audit_log").get() as { at: number; details: string };
    expect(raw).toEqual({ at: at.getTime(), details: '{"nested":["é",1]}' });
  });

  it("leave out undefined values, so the column's default applies", async () => {
    const at = new Date();
    const row = await insertReturning(db, outbox, { ...message("c@example.fr", at), attempts: undefined });
    expect(row.attempts).toBe(0);
  });

  it("run inside the caller's transaction and are undone with it", async () => {
    const before = (await db.select().from(outbox)).length;
    await expect(
      withTx(db, async (tx) => {
        await insertRow(tx, outbox, message("rolled-back@example.fr", new Date()));
        expect(await tx.select().from(outbox).where(eq(outbox.recipient, "rolled-back@example.fr"))).toHaveLength(1);
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await db.select().from(outbox)).toHaveLength(before);
  });

  it("write to the database they are given, not the first one they were prepared on", async () => {
    await insertRow(db, outbox, message("first@example.fr", new Date()));
    await insertRow(other.db, outbox, message("second@example.fr", new Date()));
    expect(await other.db.select({ to: outbox.recipient }).from(outbox)).toEqual([{ to: "second@example.fr" }]);
    expect(await db.select().from(outbox).where(eq(outbox.recipient, "second@example.fr"))).toHaveLength(0);
  });
});

describe("group commit (groupCommit)", () => {
  const message = (to: string) => ({ channel: "email" as const, recipient: to, template: "t", subject: "s", text: "x", html: null, requestId: null, nextAttemptAt: new Date(), createdAt: new Date() });
  const stored = async (to: string) => (await db.select().from(outbox).where(eq(outbox.recipient, to))).length;

  it("commits the writes of one moment together, and answers each caller with its own result", async () => {
    const file = path.join(dir, "t.sqlite");
    const seenFromOutside: number[] = [];
    const results = await Promise.all(
      ["g1@example.fr", "g2@example.fr", "g3@example.fr"].map((to) =>
        groupCommit(db, async () => {
          // Another connection (another process) sees nothing of this moment until the one commit.
          const outside = new Database(file, { readonly: true });
          seenFromOutside.push((outside.prepare("SELECT count(*) AS n FROM outbox WHERE recipient LIKE 'g_@example.fr'").get() as { n: number }).n);
          outside.close();
          return (await insertReturning(db, outbox, message(to))).recipient;
        }),
      ),
    );
    expect(results).toEqual(["g1@example.fr", "g2@example.fr", "g3@example.fr"]);
    expect(seenFromOutside).toEqual([0, 0, 0]);
    expect(await Promise.all(["g1@example.fr", "g2@example.fr", "g3@example.fr"].map(stored))).toEqual([1, 1, 1]);
  });

  it("undoes and rejects only the job that failed; the others of the moment are kept", async () => {
    const outcomes = await Promise.allSettled([
      groupCommit(db, async () => await insertRow(db, outbox, message("kept-before@example.fr"))),
      groupCommit(db, async () => {
        await insertRow(db, outbox, message("undone@example.fr"));
        throw new Error("invalid input");
      }),
      groupCommit(db, async () => await insertRow(db, outbox, message("kept-after@example.fr"))),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error("invalid input"));
    expect([await stored("kept-before@example.fr"), await stored("undone@example.fr"), await stored("kept-after@example.fr")]).toEqual([1, 0, 1]);
  });

  it("tells every caller of the moment when the commit itself fails, and writes none of them", async () => {
    const outcomes = await Promise.allSettled([
      groupCommit(db, async () => await insertRow(db, outbox, message("lost-1@example.fr"))),
      groupCommit(db, async () => {
        // A foreign key checked only at commit: the commit fails, not the job.
        sqlite.pragma("defer_foreign_keys = ON");
        await insertRow(db, requestEvents, { requestId: 999_999, at: new Date(), type: "t", actor: "system", data: {} });
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(await stored("lost-1@example.fr")).toBe(0);
    expect(sqlite.inTransaction).toBe(false);
  });
});

describe("transactions (withTx) and the read connection", () => {
  const message = (to: string) => ({ channel: "email" as const, recipient: to, template: "t", subject: "s", text: "x", html: null, requestId: null, nextAttemptAt: new Date(), createdAt: new Date() });
  const count = async (to: string) => (await db.select().from(outbox).where(eq(outbox.recipient, to))).length;
  const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

  it("keeps a transaction's writes from reads outside it until it commits, and shows them to reads inside it", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const seenInside: number[] = [];
    const running = withTx(db, async (tx) => {
      await insertRow(tx, outbox, message("uncommitted@example.fr"));
      // The handle every service holds reads through the transaction here.
      seenInside.push(await count("uncommitted@example.fr"));
      await gate; // real time passes: other requests run meanwhile
    });
    await tick();
    expect(await count("uncommitted@example.fr")).toBe(0);
    release();
    await running;
    expect(seenInside).toEqual([1]);
    expect(await count("uncommitted@example.fr")).toBe(1);
  });

  it("lets the writers of one process take turns, each reading what the previous one committed", async () => {
    const order: string[] = [];
    const writer = (name: string) =>
      withTx(db, async (tx) => {
        order.push(`${name} begins`);
        const n = (await tx.select().from(outbox).where(eq(outbox.template, "turns"))).length;
        await tick();
        await insertRow(tx, outbox, { ...message(`${name}-${n}@example.fr`), template: "turns" });
        order.push(`${name} ends`);
      });
    await Promise.all([writer("a"), writer("b"), writer("c")]);
    expect(order).toEqual(["a begins", "a ends", "b begins", "b ends", "c begins", "c ends"]);
    const recipients = (await db.select({ to: outbox.recipient }).from(outbox).where(eq(outbox.template, "turns"))).map((r) => r.to).sort();
    expect(recipients).toEqual(["a-0@example.fr", "b-1@example.fr", "c-2@example.fr"]);
  });

  it("runs a write outside any transaction as its own, after the transaction the process has open", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = withTx(db, async (tx) => {
      await insertRow(tx, outbox, message("first-writer@example.fr"));
      await gate;
    });
    await tick();
    const alone = db.insert(outbox).values(message("autocommit@example.fr")).then(() => "written");
    await tick();
    release();
    expect(await alone).toBe("written");
    await running;
    expect([await count("first-writer@example.fr"), await count("autocommit@example.fr")]).toEqual([1, 1]);
    expect(sqlite.inTransaction).toBe(false);
  });

  it("joins a nested call to the current transaction; its own failure undoes only its part", async () => {
    await withTx(db, async (tx) => {
      await insertRow(tx, outbox, message("outer@example.fr"));
      await expect(
        withTx(db, async (inner) => {
          await insertRow(inner, outbox, message("inner@example.fr"));
          throw new Error("inner fails");
        }),
      ).rejects.toThrow("inner fails");
      await withTx(tx, (inner) => insertRow(inner, outbox, message("inner-kept@example.fr")));
    });
    expect([await count("outer@example.fr"), await count("inner@example.fr"), await count("inner-kept@example.fr")]).toEqual([1, 0, 1]);
  });

  it("refuses drizzle's synchronous transaction with a pointer to withTx", () => {
    expect(() => db.transaction(() => undefined)).toThrow(/withTx/);
  });
});
