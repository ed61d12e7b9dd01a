import type { Registry } from "../connectors/registry";
import { requireRole } from "./authz";
import type { Ctx } from "./context";

/** Each connector's health, checked in parallel with a bound on the wait. */
export async function connectorHealth({ ctx, registry }: { ctx: Ctx; registry: Registry }) {
  requireRole(ctx.actor, "dpo", "support", "admin");
  return Promise.all(
    registry.list().map(async (c) => {
      const started = Date.now();
      try {
        const h = await Promise.race([
          c.health(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no answer within 5 s")), 5_000).unref()),
        ]);
        return { id: c.id, kind: c.kind, label: c.label, ok: h.ok, latencyMs: h.latencyMs, detail: h.detail ?? null };
      } catch (error) {
        return { id: c.id, kind: c.kind, label: c.label, ok: false, latencyMs: Date.now() - started, detail: error instanceof Error ? error.message : "error" };
      }
    }),
  );
}
