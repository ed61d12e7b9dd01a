/**
 * A circuit breaker per connector instance. Closed: calls go out and
 * consecutive failures are counted. Open (after `failureThreshold` of them):
 * calls are refused without touching the network until `cooldownMs` has
 * passed. Half-open: exactly one call — the probe — goes out; its success
 * closes the circuit, its failure opens it for another cooldown.
 *
 * A CRM that is down then costs one refused call, not `retries + 1` timeouts
 * per ticket, and is not hammered while it restarts.
 */
export type BreakerState = "closed" | "open" | "half-open";

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private current: BreakerState = "closed";

  constructor(private readonly opts: { failureThreshold: number; cooldownMs: number; now?: () => number }) {}

  private now() {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  get state(): BreakerState {
    if (this.current === "open" && this.now() - this.openedAt >= this.opts.cooldownMs) return "half-open";
    return this.current;
  }

  /** May a call go out now? In half-open, only the first asker gets yes. */
  tryAcquire(): boolean {
    if (this.current === "closed") return true;
    if (this.current === "open") {
      if (this.now() - this.openedAt < this.opts.cooldownMs) return false;
      this.current = "half-open";
      this.probing = false;
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  /** The service answered (any status it chose to send, 4xx included). */
  onSuccess() {
    this.failures = 0;
    this.probing = false;
    this.current = "closed";
  }

  /** Network error, timeout, 5xx or an unreadable answer. */
  onFailure() {
    this.probing = false;
    if (this.current === "open") return;
    this.failures++;
    if (this.current === "half-open" || this.failures >= this.opts.failureThreshold) {
      this.current = "open";
      this.openedAt = this.now();
    }
  }

  /** The caller gave up (its own abort): says nothing about the service, frees the probe slot. */
  onAbandon() {
    this.probing = false;
  }

  /** Milliseconds until the next probe is allowed (0 unless open). */
  retryInMs(): number {
    return this.current === "open" ? Math.max(0, this.opts.cooldownMs - (this.now() - this.openedAt)) : 0;
  }
}
