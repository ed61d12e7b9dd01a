import { databaseClock, db } from "../utils/db.server";
import { log } from "../utils/log.server";
import { purgeExpired } from "../utils/rate-limit.server";
import { connectors } from "../utils/connectors.server";
import { purgeExpiredArchives } from "./delivery.server";
import { purgeAfterRetention } from "./gather-store.server";
import { runNextErasure } from "./erasure.server";
import { runNextJob } from "./gather.server";
import { runDueLifts } from "./restriction.server";
import { deliverDue } from "./outbox.server";
import { expireUnverified, remindUnverified } from "./requests.server";
import { runDailyRetention } from "./retention.server";
import { sweepInfoRequests } from "./tickets.server";
import { sweepReferralReminders } from "./referrals.server";

/**
 * Background loops that live inside the server process: the outbox sender
 * and the housekeeping sweep. Each tick catches its own errors so one bad
 * pass never stops the loop.
 */
export async function startWorkers(opts: { outboxEveryMs?: number; gatherEveryMs?: number; sweepEveryMs?: number } = {}) {
  let sending = false;
  const send = async () => {
    if (sending) return;
    sending = true;
    try {
      await deliverDue({ db: db(), now: (await databaseClock(db()))() });
    } catch (error) {
      log.error("worker.outbox_failed", { error: error instanceof Error ? error.name : "unknown" });
    } finally {
      sending = false;
    }
  };
  let gathering = false;
  const gather = async () => {
    if (gathering) return;
    gathering = true;
    try {
      // Leases are taken and judged by the database's clock (PostgreSQL: the same for every machine).
      const now = await databaseClock(db());
      // Drain the queue, one job at a time, then wait for the next tick.
      for (let i = 0; i < 20 && (await runNextJob({ db: db(), registry: connectors(), now })); i++);
      // Approved erasures, and those waiting for a connector to come back.
      for (let i = 0; i < 5 && (await runNextErasure({ db: db(), registry: connectors(), now })); i++);
      // Art. 18(3): restrictions whose notice period has ended (claimed, so a second server lifts none twice).
      await runDueLifts({ db: db(), registry: connectors(), now });
    } catch (error) {
      log.error("worker.gather_failed", { error: error instanceof Error ? error.name : "unknown" });
    } finally {
      gathering = false;
    }
  };
  // Once a day across every process: the first sweep of the day (Paris) takes the run's lock, the others find it done.
  let retaining = false;
  const retain = async () => {
    if (retaining) return;
    retaining = true;
    try {
      await runDailyRetention({ db: db(), registry: connectors() });
    } catch (error) {
      log.error("worker.retention_failed", { error: error instanceof Error ? error.name : "unknown" });
    } finally {
      retaining = false;
    }
  };
  const sweep = async () => {
    try {
      const now = new Date();
      await remindUnverified({ ctx: { db: db(), now, actor: { kind: "system" } } });
      await expireUnverified({ ctx: { db: db(), now, actor: { kind: "system" } } });
      await sweepInfoRequests({ ctx: { db: db(), now, actor: { kind: "system" } } });
      await sweepReferralReminders({ ctx: { db: db(), now, actor: { kind: "system" } } });
      await purgeExpired(db(), new Date(now.getTime() - 2 * 3_600_000));
      await purgeExpiredArchives(db(), now);
      await purgeAfterRetention(db(), now);
    } catch (error) {
      log.error("worker.sweep_failed", { error: error instanceof Error ? error.name : "unknown" });
    }
    void retain();
  };
  const timers = [
    setInterval(() => void send(), opts.outboxEveryMs ?? 2_000),
    setInterval(() => void gather(), opts.gatherEveryMs ?? 1_000),
    setInterval(() => void sweep(), opts.sweepEveryMs ?? 10 * 60_000),
  ];
  for (const t of timers) t.unref();
  void send();
  await sweep();
  return () => timers.forEach(clearInterval);
}
