/**
 * Jobs done exactly once by several processes on one database (issue 14).
 * A worker claims a job with a compare-and-set on (id, lease free or
 * expired, attempt): only one claim can win, and winning bumps the attempt.
 * The attempt is the fencing token: while the work runs its lease is
 * renewed, and every finishing write says `WHERE attempt = mine`; a worker
 * that was slower than its lease, and whose job another took over, finds its
 * writes refused (LeaseLost) and stops without telling anyone anything.
 */
export class LeaseLost extends Error {
  constructor(what = "job") {
    super(`${what}: another worker took it over`);
    this.name = "LeaseLost";
  }
}

/** A finishing write changed our row, or we no longer own it. */
export function requireOwned(result: { changes: number }, what?: string) {
  if (result.changes !== 1) throw new LeaseLost(what);
}

/**
 * Renews the lease every `everyMs` while the work runs. `renew` returns
 * whether our attempt still owns the row; once it does not, `check()`
 * throws, so the work stops before its next step.
 */
export function keepLease(renew: () => Promise<boolean>, everyMs: number) {
  let lost = false;
  const beat = async () => {
    try {
      if (!(await renew())) lost = true;
    } catch {
      // A database busy beyond its timeout: the next beat tries again, the lease is long enough for both.
    }
  };
  const timer = setInterval(() => void beat(), everyMs);
  timer.unref();
  return {
    check(what?: string) {
      if (lost) throw new LeaseLost(what);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
