import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { RIGHTS } from "../db/schema/enums";
import { auditLog } from "../db/schema/audit";
import { requests } from "../db/schema/requests";
import { openDatabase } from "../app/utils/db.server";
import { referenceNumberEquals, rightsInclude } from "../app/utils/sqlite-dialect.server";

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
  it("each right's partial index serves the queue's right filter", () => {
    for (const right of RIGHTS) {
      const where = sql`${requests.site} = 'tours' AND ${rightsInclude(requests.rights, right)}`;
      expect(() => db.all(sql`SELECT ${requests.id} FROM ${requests} INDEXED BY ${sql.identifier(`requests_right_${right}_idx`)} WHERE ${where}`), right).not.toThrow();
    }
  });

  it("the number index serves a search by number", () => {
    const plan = db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN SELECT ${requests.id} FROM ${requests} WHERE ${referenceNumberEquals(requests.reference, "123")}`);
    expect(plan.map((p) => p.detail).join("\n")).toContain("SEARCH requests USING COVERING INDEX requests_ref_number_idx (<expr>=?)");
  });

  it("a search by number finds the reference that ends with it, zeros or not", () => {
    const found = (digits: string) => db.get<{ ok: number }>(sql`SELECT ${referenceNumberEquals(sql`'DSR-2026-000123'`, digits)} AS ok`).ok;
    expect([found("123"), found("000123"), found("23"), found("1234")]).toEqual([1, 1, 0, 0]);
    expect(db.all(sql`SELECT 1 FROM ${auditLog} WHERE ${referenceNumberEquals(auditLog.reference, "1")}`)).toEqual([]);
  });
});
