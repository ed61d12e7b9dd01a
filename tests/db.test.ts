import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../app/utils/db.server";

const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-db-"));
const { sqlite } = openDatabase(`file:${path.join(dir, "t.sqlite")}`);
afterAll(() => {
  sqlite.close();
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
