import { db } from "../utils/db.server";
import { log } from "../utils/log.server";
import { purgeExpired } from "../utils/rate-limit.server";
import { deliverDue } from "./outbox.server";
import { expireUnverified } from "./requests.server";

/**
 * Background loops that live inside the server process: the outbox sender
 * and the housekeeping sweep. Each tick catches its own errors so one bad
 * pass never stops the loop.
 */
export function startWorkers(opts: { outboxEveryMs?: number; sweepEveryMs?: number } = {}) {
  let sending = false;
  const send = async () => {
    if (sending) return;
    sending = true;
    try {
      await deliverDue({ db: db() });
    } catch (error) {
      log.error("worker.outbox_failed", { error: error instanceof Error ? error.name : "unknown" });
    } finally {
      sending = false;
    }
  };
  const sweep = () => {
    try {
      const now = new Date();
      expireUnverified({ ctx: { db: db(), now, actor: { kind: "system" } } });
      purgeExpired(db(), new Date(now.getTime() - 2 * 3_600_000));
    } catch (error) {
      log.error("worker.sweep_failed", { error: error instanceof Error ? error.name : "unknown" });
    }
  };
  const timers = [setInterval(send, opts.outboxEveryMs ?? 2_000), setInterval(sweep, opts.sweepEveryMs ?? 10 * 60_000)];
  for (const t of timers) t.unref();
  void send();
  sweep();
  return () => timers.forEach(clearInterval);
}
