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
import { sendReminders } from "./reminders.server";
import { isWorkingDay } from "./deadlines";
import { env } from "../utils/env.server";
import { instantToParisLocal } from "../utils/paris-time";

/**
 * Background loops: the outbox sender, the gather and erasure queues, the
 * housekeeping sweep, the daily retention run and the daily digest. They run
 * in `npm run worker` (scripts/worker.ts), and inside `npm start` unless
 * WORKERS=0. Each tick catches its own errors so one bad pass never stops the
 * loop. The returned `stop` clears the timers and resolves once the ticks
 * under way have finished (a gather drain stops after its current job).
 */
export async function startWorkers(opts: { outboxEveryMs?: number; gatherEveryMs?: number; sweepEveryMs?: number } = {}): Promise<() => Promise<void>> {
  let stopped = false;
  const inFlight = new Set<Promise<unknown>>();
  /** One tick at a time per loop, none after stop, and each tracked so stop can wait for it. */
  const loop = (name: string, work: () => Promise<void>) => {
    let current: Promise<void> | null = null;
    return () => {
      if (current || stopped) return current ?? Promise.resolve();
      current = work()
        .catch((error: unknown) => log.error(`worker.${name}_failed`, { error: error instanceof Error ? error.name : "unknown" }))
        .finally(() => {
          inFlight.delete(current!);
          current = null;
        });
      inFlight.add(current);
      return current;
    };
  };
  const send = loop("outbox", async () => {
    await deliverDue({ db: db(), now: (await databaseClock(db()))() });
  });
  const gather = loop("gather", async () => {
    // Leases are taken and judged by the database's clock (PostgreSQL: the same for every machine).
    const now = await databaseClock(db());
    // Drain the queue, one job at a time, then wait for the next tick.
    for (let i = 0; i < 20 && !stopped && (await runNextJob({ db: db(), registry: connectors(), now })); i++);
    // Approved erasures, and those waiting for a connector to come back.
    for (let i = 0; i < 5 && !stopped && (await runNextErasure({ db: db(), registry: connectors(), now })); i++);
    // Art. 18(3): restrictions whose notice period has ended (claimed, so a second server lifts none twice).
    if (!stopped) await runDueLifts({ db: db(), registry: connectors(), now });
  });
  // Once a day across every process: the first sweep of the day (Paris) takes the run's lock, the others find it done.
  const retain = loop("retention", async () => {
    await runDailyRetention({ db: db(), registry: connectors() });
  });
  // Once a working day across every process too (the day's claim in sendReminders), from REMINDERS_HOUR (Paris) on.
  const remind = loop("reminders", async () => {
    const now = new Date();
    const local = instantToParisLocal(now);
    if (!isWorkingDay(local.slice(0, 10)) || Number(local.slice(11, 13)) < env().REMINDERS_HOUR) return;
    await sendReminders({ ctx: { db: db(), now, actor: { kind: "system" } } });
  });
  const sweep = loop("sweep", async () => {
    const now = new Date();
    await remindUnverified({ ctx: { db: db(), now, actor: { kind: "system" } } });
    await expireUnverified({ ctx: { db: db(), now, actor: { kind: "system" } } });
    await sweepInfoRequests({ ctx: { db: db(), now, actor: { kind: "system" } } });
    await sweepReferralReminders({ ctx: { db: db(), now, actor: { kind: "system" } } });
    await purgeExpired(db(), new Date(now.getTime() - 2 * 3_600_000));
    await purgeExpiredArchives(db(), now);
    await purgeAfterRetention(db(), now);
  });
  const housekeeping = async () => {
    await sweep();
    void retain();
    void remind();
  };
  const timers = [
    setInterval(() => void send(), opts.outboxEveryMs ?? 2_000),
    setInterval(() => void gather(), opts.gatherEveryMs ?? 1_000),
    setInterval(() => void housekeeping(), opts.sweepEveryMs ?? 10 * 60_000),
  ];
  for (const t of timers) t.unref();
  void send();
  await housekeeping();
  return async () => {
    stopped = true;
    timers.forEach(clearInterval);
    while (inFlight.size) await Promise.allSettled([...inFlight]);
  };
}
