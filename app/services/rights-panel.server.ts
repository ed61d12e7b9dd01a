import { eq } from "drizzle-orm";
import { requests } from "../../db/schema/requests";
import type { Registry } from "../connectors/registry";
import type { Ctx, StaffActor } from "./context";
import { DomainError } from "./errors";
import type { GatherRow } from "./gather.server";
import { applyRestriction, liftRestriction, restrictionRows, type RestrictionState } from "./restriction.server";
import { objectionStatus, recordObjection, type ObjectionStatus } from "./suppression.server";
import { OPEN_STATUSES } from "./tickets.server";

/**
 * The ticket page's restriction and objection panel: what it shows (no
 * personal data: states, counts, dates, staff names) and the intents its
 * buttons post. The services decide who may do what; the flags here only
 * spare people buttons that would be refused.
 */
export type RestrictionPanelRow = {
  connectorId: string;
  label: string;
  state: RestrictionState | "not_applied" | "no_records";
  records: number;
  appliedAt: Date | null;
  appliedBy: string | null;
  liftedAt: Date | null;
  liftedBy: string | null;
  error: string | null;
  canRetry: boolean;
};

export type RightsPanel = {
  restriction: null | { rows: RestrictionPanelRow[]; gatherFinished: boolean; canApply: boolean; canLift: boolean; isDpo: boolean };
  objection: null | { status: ObjectionStatus; canRecord: boolean };
};

export function rightsPanel({ ctx, requestId, gather, registry }: { ctx: Ctx & { actor: StaffActor }; requestId: number; gather: GatherRow[]; registry: Registry }): RightsPanel | null {
  const r = ctx.db.select().from(requests).where(eq(requests.id, requestId)).get();
  if (!r || (!r.rights.includes("restriction") && !r.rights.includes("objection"))) return null;
  const role = ctx.actor.role;
  const works = role === "dpo" || role === "support";
  const open = OPEN_STATUSES.includes(r.status);

  let restriction: RightsPanel["restriction"] = null;
  if (r.rights.includes("restriction")) {
    const stored = new Map(restrictionRows(ctx.db, r.id).map((row) => [row.connectorId, row]));
    const gatherFinished = gather.length > 0 && gather.every((g) => g.status === "done");
    const ids = [...new Set([...gather.map((g) => g.connectorId), ...stored.keys()])];
    const rows = ids.map((id): RestrictionPanelRow => {
      const label = registry.get(id)?.label ?? gather.find((g) => g.connectorId === id)?.label ?? id;
      const row = stored.get(id);
      if (row) return { ...row, label, canRetry: works && open && gatherFinished && row.state === "failed" };
      const found = gather.find((g) => g.connectorId === id)?.matches ?? 0;
      return { connectorId: id, label, state: found > 0 ? "not_applied" : "no_records", records: found, appliedAt: null, appliedBy: null, liftedAt: null, liftedBy: null, error: null, canRetry: false };
    });
    restriction = {
      rows,
      gatherFinished,
      canApply: works && open && gatherFinished && rows.some((row) => row.state === "not_applied" || (row.state === "lifted" && row.records > 0)),
      canLift: role === "dpo" && rows.some((row) => row.state === "applied" || row.state === "lift_failed" || row.state === "failed" || row.state === "not_supported"),
      isDpo: role === "dpo",
    };
  }

  let objection: RightsPanel["objection"] = null;
  if (r.rights.includes("objection")) {
    const status = objectionStatus(ctx.db, r);
    objection = { status, canRecord: works && open && status.some((s) => !s.since) };
  }
  return { restriction, objection };
}

export const RIGHTS_PANEL_INTENTS = ["restriction-apply", "restriction-retry", "restriction-lift", "objection-record"] as const;

/** Runs one of the panel's intents; DomainErrors go back to the route's usual mapping. */
export async function rightsPanelAction({ ctx, reference, intent, form, registry }: { ctx: Ctx; reference: string; intent: string; form: FormData; registry: Registry }) {
  switch (intent) {
    case "restriction-apply":
      return applyRestriction({ ctx, reference, registry });
    case "restriction-retry": {
      const connectorId = String(form.get("connectorId") ?? "");
      if (!registry.get(connectorId)) throw new DomainError("invalid_input", { field: "connectorId" });
      return applyRestriction({ ctx, reference, registry, connectorId });
    }
    case "restriction-lift":
      return liftRestriction({ ctx, reference, registry });
    case "objection-record":
      return recordObjection({ ctx, reference });
    default:
      throw new DomainError("invalid_input", { field: "intent" });
  }
}
