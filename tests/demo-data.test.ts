import { sql, type SQL } from "drizzle-orm";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, rawAll } from "../app/utils/db.server";
import { cli, startDemo, type DemoProcess } from "./helpers/processes";

/**
 * Issue 16, items 9 and 11: `npm run demo` and, in a second terminal with
 * the same DATA_DIR, the README's CLI commands; the demo's data dated no
 * later than the demo's own clock. Real processes, as a newcomer runs them.
 */
const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-demo-data-"));
let demo: DemoProcess | undefined;
afterAll(async () => {
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const nobodyRef = (out: string) => /7\. Ticket (DSR-\d{4}-\d{6})/.exec(out)![1]!;

describe("the demo", () => {
  it("seeds nothing after its own now, and leaves no closing email pending from the past", async () => {
    const before = Date.now();
    demo = await startDemo(dir);
    // The server's sender runs every 2 s: give it one pass over what the seed queued.
    await new Promise((r) => setTimeout(r, 5_000));
    const now = Date.now();
    // The demo's own database: its SQLite file, or (the suite's PostgreSQL pass) its PostgreSQL database.
    const store = openDatabase(demo.env.DATABASE_URL ?? `file:${path.join(dir, "rightsdesk.sqlite")}`);
    try {
      const all = <T>(query: SQL) => rawAll<T>(store.db, query);
      const latest = async (query: SQL) => Number((await all<{ at: number | null }>(query))[0]?.at ?? 0);
      for (const column of ["received_at", "verified_at", "closed_at", "created_at", "updated_at"])
        expect(await latest(sql`SELECT max(${sql.identifier(column)}) AS at FROM requests`), `requests.${column}`).toBeLessThanOrEqual(now);
      expect(await latest(sql`SELECT max(at) AS at FROM request_events`), "request_events.at").toBeLessThanOrEqual(now);
      expect(await latest(sql`SELECT max(created_at) AS at FROM outbox`), "outbox.created_at").toBeLessThanOrEqual(now);
      expect(await latest(sql`SELECT max(next_attempt_at) AS at FROM outbox WHERE status = 'pending'`), "outbox.next_attempt_at").toBeLessThanOrEqual(now);
      const lastClosed = await latest(sql`SELECT max(closed_at) AS at FROM requests`);
      expect(new Date(lastClosed).toISOString().slice(0, 10) <= new Date(now).toISOString().slice(0, 10)).toBe(true);
      // Every closing letter of a past closure went out (to the dev outbox) rather than waiting for a future date.
      const stale = await all(sql`SELECT template, count(*) AS n FROM outbox WHERE status = 'pending' AND created_at < ${before} GROUP BY template`);
      expect(stale).toEqual([]);
      // No "your code expired before we could send it" notice for a code the seed's people read back long ago.
      expect(await all(sql`SELECT template, count(*) AS n FROM outbox WHERE template LIKE '%!_expired' ESCAPE '!' GROUP BY template`)).toEqual([]);
      const closings = await all<{ status: string; n: number }>(sql`SELECT status, count(*) AS n FROM outbox WHERE template = 'closing' GROUP BY status`);
      expect(closings.every((c) => c.status === "sent")).toBe(true);
    } finally {
      store.close();
      await store.closed;
    }
  }, 180_000);

  it("lets the CLI gather and export in a second terminal, with the same connector secrets after a restart", async () => {
    const ref = nobodyRef(demo!.output());
    const gather = await cli(["gather", ref], demo!.env);
    expect(gather.code, gather.stdout + gather.stderr).toBe(0);
    expect(gather.stdout).not.toMatch(/failed/);
    expect(gather.stdout).toMatch(/crm\S*\s+nothing|nothing/);
    const secret = readFileSync(path.join(dir, "app-secret"), "utf8");

    // Restarted on the same data directory: the same secret, so the CLI still reaches the CRM and reads the survey.
    await demo!.stop();
    demo = await startDemo(dir);
    expect(readFileSync(path.join(dir, "app-secret"), "utf8")).toBe(secret);
    const again = await cli(["gather", ref], demo.env);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/failed/);
    const out = path.join(dir, "nobody.zip");
    const exported = await cli(["export", ref, "--kind", "access", "--out", out], demo.env);
    expect(exported.code, exported.stdout + exported.stderr).toBe(0);
  }, 240_000);
});
