import type { Registry } from "../connectors/registry";
import type { Connector } from "../connectors/types";
import { requireRole } from "./authz";
import type { Ctx } from "./context";

export type ConnectorProbe = { id: string; kind: string; label: string; ok: boolean; latencyMs: number; detail: string | null };

/** One connector's health check, bounded: no answer within `boundMs` counts as down. */
export async function probeConnector(c: Connector, boundMs = 5_000): Promise<ConnectorProbe> {
  const started = Date.now();
  try {
    const h = await Promise.race([
      c.health(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${boundMs / 1000} s`)), boundMs).unref()),
    ]);
    return { id: c.id, kind: c.kind, label: c.label, ok: h.ok, latencyMs: h.latencyMs, detail: h.detail ?? null };
  } catch (error) {
    return { id: c.id, kind: c.kind, label: c.label, ok: false, latencyMs: Date.now() - started, detail: error instanceof Error ? error.message : "error" };
  }
}

/** Each connector's health, checked in parallel with a bound on the wait. */
export async function connectorHealth({ ctx, registry }: { ctx: Ctx; registry: Registry }) {
  requireRole(ctx.actor, "dpo", "support", "admin");
  return Promise.all(registry.list().map((c) => probeConnector(c)));
}
