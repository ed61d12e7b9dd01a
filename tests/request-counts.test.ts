import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import fc from "fast-check";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { migrationsFolder, openDatabase } from "../app/utils/db.server";

// request_counts (migration 0007) is kept by triggers on requests; the queue
// reads its status counts there. Whatever is written, it must equal a count
// of the table itself.

const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-counts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SITES = [null, "lille", "paris", "tours"] as const;
const STATUSES = ["awaiting_verification", "received", "in_progress", "completed", "refused"] as const;
let serial = 0;

function insert(sqlite: Database.Database, site: string | null, status: string) {
  const now = Date.now();
  sqlite
    .prepare(
      `INSERT INTO requests (reference, rights, channel, site, status, locale, last_name, first_name, verification_method, received_at, created_at, updated_at)
       VALUES (?, '["access"]', 'web', ?, ?, 'fr', 'Martin', 'Lucie', 'email', ?, ?, ?)`,
    )
    .run(`DSR-T-${String(++serial).padStart(6, "0")}`, site, status, now, now, now);
}

const kept = (sqlite: Database.Database) =>
  sqlite.prepare("SELECT site, status, n FROM request_counts WHERE n <> 0 ORDER BY site, status").all();
const counted = (sqlite: Database.Database) =>
  sqlite.prepare("SELECT coalesce(site, '') AS site, status, count(*) AS n FROM requests GROUP BY 1, 2 ORDER BY 1, 2").all();

describe("request counts kept by triggers", () => {
  it("are filled from the tickets already there when the migration runs", () => {
    // Migrate an older database (up to 0006), file tickets, then upgrade.
    const older = path.join(dir, "migrations-0006");
    cpSync(migrationsFolder(), older, { recursive: true });
    const journalFile = path.join(older, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag < "0007");
    writeFileSync(journalFile, JSON.stringify(journal));
    const sqlite = new Database(path.join(dir, "upgrade.sqlite"));
    migrate(drizzle(sqlite), { migrationsFolder: older });
    insert(sqlite, "lille", "received");
    insert(sqlite, "lille", "received");
    insert(sqlite, null, "completed");
    migrate(drizzle(sqlite), { migrationsFolder: migrationsFolder() });
    expect(kept(sqlite)).toEqual([
      { site: "", status: "completed", n: 1 },
      { site: "lille", status: "received", n: 2 },
    ]);
    sqlite.close();
  });

  it("equal a count of the table after any mix of filings, moves between statuses and sites, and deletions", () => {
    const { sqlite } = openDatabase(`file:${path.join(dir, "property.sqlite")}`);
    const op = fc.oneof(
      fc.record({ kind: fc.constant("insert" as const), site: fc.constantFrom(...SITES), status: fc.constantFrom(...STATUSES) }),
      fc.record({ kind: fc.constant("status" as const), pick: fc.nat(), status: fc.constantFrom(...STATUSES) }),
      fc.record({ kind: fc.constant("site" as const), pick: fc.nat(), site: fc.constantFrom(...SITES) }),
      fc.record({ kind: fc.constant("both" as const), pick: fc.nat(), site: fc.constantFrom(...SITES), status: fc.constantFrom(...STATUSES) }),
      fc.record({ kind: fc.constant("other" as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        sqlite.exec("DELETE FROM requests; DELETE FROM request_counts");
        for (const o of ops) {
          if (o.kind === "insert") {
            insert(sqlite, o.site, o.status);
            continue;
          }
          const ids = (sqlite.prepare("SELECT id FROM requests ORDER BY id").pluck().all() as number[]);
          if (!ids.length) continue;
          const id = ids[o.pick % ids.length];
          if (o.kind === "status") sqlite.prepare("UPDATE requests SET status = ? WHERE id = ?").run(o.status, id);
          else if (o.kind === "site") sqlite.prepare("UPDATE requests SET site = ? WHERE id = ?").run(o.site, id);
          else if (o.kind === "both") sqlite.prepare("UPDATE requests SET site = ?, status = ? WHERE id = ?").run(o.site, o.status, id);
          else if (o.kind === "other") sqlite.prepare("UPDATE requests SET details = 'x', updated_at = updated_at + 1 WHERE id = ?").run(id);
          else sqlite.prepare("DELETE FROM requests WHERE id = ?").run(id);
        }
        expect(kept(sqlite)).toEqual(counted(sqlite));
      }),
      { numRuns: 200 },
    );
    sqlite.close();
  });

  it("are undone with the transaction that wrote them", () => {
    const { sqlite } = openDatabase(`file:${path.join(dir, "rollback.sqlite")}`);
    insert(sqlite, "paris", "received");
    expect(() =>
      sqlite.transaction(() => {
        insert(sqlite, "paris", "received");
        sqlite.prepare("UPDATE requests SET status = 'completed'").run();
        throw new Error("abandoned");
      })(),
    ).toThrow("abandoned");
    expect(kept(sqlite)).toEqual([{ site: "paris", status: "received", n: 1 }]);
    sqlite.close();
  });
});
