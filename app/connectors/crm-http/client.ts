import { setTimeout as sleep } from "node:timers/promises";
import type { z } from "zod";
import { ConnectorUnavailable } from "../types";
import type { CircuitBreaker } from "./breaker";

/**
 * HTTP to the CRM on the global fetch: a timeout per attempt joined with the
 * caller's signal, retries with exponential backoff and jitter on what may
 * pass (network errors, timeouts, 5xx), none on what will not (4xx), and the
 * connector's circuit breaker around every attempt.
 *
 * Error messages are built only from `what` (a fixed description such as
 * "CRM search by email"), a status code, an error code or a count: never the
 * URL (its query holds the email or number searched), never the body (a CRM
 * may echo the query back). They end up in job rows and logs.
 */
export type CrmClientOptions = {
  baseUrl: string;
  token?: string;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  breaker: CircuitBreaker;
  fetch?: typeof fetch;
  random?: () => number;
};

export type CrmCall<T> = {
  /** fixed text naming the operation, without personal data */
  what: string;
  method: "GET" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** response schema; omitted when the body does not matter (DELETE) */
  schema?: z.ZodType<T>;
  signal?: AbortSignal;
  /** override of the configured retries (health checks do not retry) */
  retries?: number;
};

/** 2xx with its parsed body, or 404 as null; other statuses throw. */
export type CrmResult<T> = { status: number; data: T | null };

/** A 4xx other than 404: the request itself is wrong, so repeating it will not help. */
export class CrmRejected extends ConnectorUnavailable {
  constructor(
    message: string,
    public readonly status: number,
  ) {
    super(message, false);
    this.name = "CrmRejected";
  }
}

type Attempt =
  | { kind: "response"; status: number; text: string }
  | { kind: "timeout" }
  | { kind: "network"; code: string }
  | { kind: "aborted" };

function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  if (cause && typeof cause.code === "string" && /^[A-Z_]+$/.test(cause.code)) return cause.code;
  const name = (error as { name?: unknown })?.name;
  return typeof name === "string" && /^\w+$/.test(name) ? name : "unknown";
}

/** Paths and codes only: zod messages could quote what was received. */
function describeIssues(error: z.ZodError) {
  const first = error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"} ${i.code}`);
  return first.join(", ") + (error.issues.length > 3 ? ", …" : "");
}

export function createCrmClient(opts: CrmClientOptions) {
  const base = opts.baseUrl.replace(/\/+$/, "");
  const doFetch = opts.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const random = opts.random ?? Math.random;

  async function attempt(call: CrmCall<unknown>): Promise<Attempt> {
    const url = new URL(base + call.path);
    for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.set(k, v);
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const signal = call.signal ? AbortSignal.any([timeout, call.signal]) : timeout;
    const headers: Record<string, string> = { accept: "application/json", "user-agent": "RightsDesk-crm-http" };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (call.body !== undefined) headers["content-type"] = "application/json";
    try {
      const res = await doFetch(url, {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal,
        redirect: "error",
      });
      // Read under the same signal: a server that sends headers then stalls is a timeout too.
      const text = await res.text();
      return { kind: "response", status: res.status, text };
    } catch (error) {
      if (call.signal?.aborted) return { kind: "aborted" };
      if (timeout.aborted) return { kind: "timeout" };
      return { kind: "network", code: errorCode(error) };
    }
  }

  function backoff(n: number) {
    // "Equal jitter": at least half the exponential step, so retries never bunch at zero.
    const step = opts.backoffMs * 2 ** n;
    return step / 2 + random() * (step / 2);
  }

  async function call<T>(c: CrmCall<T>): Promise<CrmResult<T>> {
    const retries = c.retries ?? opts.retries;
    let last = "";
    for (let n = 0; ; n++) {
      c.signal?.throwIfAborted();
      if (!opts.breaker.tryAcquire()) {
        // Opened by this call's own failures: report what happened, not just the refusal.
        if (n > 0) throw new ConnectorUnavailable(`${c.what} failed: ${last} (${n} attempt${n > 1 ? "s" : ""}; the CRM circuit is now open)`);
        const wait = Math.ceil(opts.breaker.retryInMs() / 1000);
        throw new ConnectorUnavailable(`${c.what} not attempted: the CRM circuit is open after repeated failures${wait ? ` (next try in ${wait} s)` : ""}`);
      }
      const a = await attempt(c as CrmCall<unknown>);
      const attempts = `${n + 1} attempt${n ? "s" : ""}`;

      if (a.kind === "aborted") {
        opts.breaker.onAbandon();
        throw c.signal?.reason ?? new DOMException("The operation was aborted", "AbortError");
      }

      if (a.kind === "response" && a.status < 500) {
        // The service answered: 4xx say our request was wrong, not that it is down.
        if (a.status >= 300 || !c.schema) opts.breaker.onSuccess();
        if (a.status === 404) return { status: 404, data: null };
        if (a.status === 401 || a.status === 403) throw new CrmRejected(`${c.what} failed: HTTP ${a.status} (the CRM refused our token)`, a.status);
        if (a.status >= 300) throw new CrmRejected(`${c.what} failed: HTTP ${a.status}`, a.status);
        if (!c.schema) return { status: a.status, data: null };
        let json: unknown;
        try {
          json = JSON.parse(a.text);
        } catch {
          // A proxy's HTML error page or a truncated body: the CRM is not answering properly.
          opts.breaker.onFailure();
          throw new ConnectorUnavailable(`${c.what} failed: the CRM answered HTTP ${a.status} with a body that is not valid JSON`);
        }
        const parsed = c.schema.safeParse(json);
        if (!parsed.success) {
          opts.breaker.onFailure();
          throw new ConnectorUnavailable(`${c.what} failed: the CRM's answer does not match the contract (${describeIssues(parsed.error)})`);
        }
        opts.breaker.onSuccess();
        return { status: a.status, data: parsed.data };
      }

      opts.breaker.onFailure();
      last =
        a.kind === "response" ? `HTTP ${a.status}` : a.kind === "timeout" ? `no answer within ${opts.timeoutMs} ms` : `network error (${a.kind === "network" ? a.code : "unknown"})`;
      if (n >= retries) throw new ConnectorUnavailable(`${c.what} failed: ${last} (${attempts})`);
      try {
        await sleep(backoff(n), undefined, { signal: c.signal });
      } catch {
        c.signal?.throwIfAborted();
      }
    }
  }

  return { call };
}
export type CrmClient = ReturnType<typeof createCrmClient>;
