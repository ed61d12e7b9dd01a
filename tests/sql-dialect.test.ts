import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { RIGHTS } from "../db/schema/enums";
import { auditLog } from "../db/schema/audit";
import { requests } from "../db/schema/requests";
import { openDatabase, rawAll, rawGet } from "../app/utils/db.server";
import { referenceNumberEquals, rightsInclude } from "../app/utils/sql-dialect.server";

const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-dialect-"));
const { sqlite, db } = openDatabase(`file:${path.join(dir, "t.sqlite")}`);
afterAll(() => {
  sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

/*
 * The dialect's expressions must stay those the migrations built the indexes
 * on, or the queue's filters fall back to scanning. INDEXED BY fails ("no
 * query solution") when a partial index cannot serve the WHERE clause.
 */
describe("the dialect's expressions match the indexes built on them", () => {
  it("each right's partial index serves the queue's right filter", async () => {
    for (const right of RIGHTS) {
      const where = sql`${requests.site} = 'tours' AND ${rightsInclude(requests.rights, right)}`;
      await expect(rawAll(db, sql`SELECT ${requests.id} FROM ${requests} INDEXED BY ${sql.identifier(`requests_right_${right}_idx`)} WHERE ${where}`), right).resolves.toBeDefined();
    }
  });

  it("the number index serves a search by number", async () => {
    const plan = await rawAll<{ detail: string }>(db, sql`EXPLAIN QUERY PLAN SELECT ${requests.id} FROM ${requests} WHERE ${referenceNumberEquals(requests.reference, "123")}`);
    expect(plan.map((p) => p.detail).join("\n")).toContain("SEARCH requests USING COVERING INDEX requests_ref_number_idx (<expr>=?)");
  });

  it("a search by number finds the reference that ends with it, zeros or not", async () => {
    const found = async (digits: string) => (await rawGet<{ ok: number }>(db, sql`SELECT ${referenceNumberEquals(sql`'DSR-2026-000123'`, digits)} AS ok`))!.ok;
    expect([await found("123"), await found("000123"), await found("23"), await found("1234")]).toEqual([1, 1, 0, 0]);
    expect(await rawAll(db, sql`SELECT 1 FROM ${auditLog} WHERE ${referenceNumberEquals(auditLog.reference, "1")}`)).toEqual([]);
  });
});
