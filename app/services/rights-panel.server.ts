import { eq } from "drizzle-orm";
import { requests } from "../../db/schema/requests";
import type { Registry } from "../connectors/registry";
import type { Ctx, StaffActor } from "./context";
import { DomainError } from "./errors";
import type { GatherRow } from "./gather.server";
import { applyRestriction, confirmByHand, liftView, restrictionRows, retryLift, scheduleLift, stopLift, type LiftView, type RestrictionState } from "./restriction.server";
import { objectionStatus, recordObjection, type ObjectionStatus } from "./suppression.server";
import { OPEN_STATUSES } from "./tickets.server";
import { env } from "../utils/env.server";
import { first } from "../utils/db.server";

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
  byHand: boolean;
  handConfirmedAt: Date | null;
  handConfirmedBy: string | null;
  error: string | null;
  canRetry: boolean;
  /** staff may confirm they restricted (or, once the lift ran, lifted) the records there by hand */
  canConfirmHand: "applied" | "lifted" | null;
};

export type RightsPanel = {
  restriction: null | {
    rows: RestrictionPanelRow[];
    gatherFinished: boolean;
    canApply: boolean;
    canLift: boolean;
    isDpo: boolean;
    lift: LiftView | null;
    canStopLift: boolean;
    canRetryLift: boolean;
    noticeDays: number;
  };
  objection: null | { status: ObjectionStatus; canRecord: boolean };
};

export async function rightsPanel({ ctx, requestId, gather, registry }: { ctx: Ctx & { actor: StaffActor }; requestId: number; gather: GatherRow[]; registry: Registry }): Promise<RightsPanel | null> {
  const r = await first(ctx.db.select().from(requests).where(eq(requests.id, requestId)));
  if (!r || (!r.rights.includes("restriction") && !r.rights.includes("objection"))) return null;
  const role = ctx.actor.role;
  const works = role === "dpo" || role === "support";
  const open = OPEN_STATUSES.includes(r.status);

  let restriction: RightsPanel["restriction"] = null;
  if (r.rights.includes("restriction")) {
    const stored = new Map((await restrictionRows(ctx.db, r.id)).map((row) => [row.connectorId, row]));
    const lift = await liftView(ctx.db, r.id);
    // Hand lifting is confirmed only once the announced lift has run: the notice period is the person's.
    const liftRan = lift !== null && (lift.status === "done" || lift.status === "failed");
    const gatherFinished = gather.length > 0 && gather.every((g) => g.status === "done");
    const ids = [...new Set([...gather.map((g) => g.connectorId), ...stored.keys()])];
    const rows = ids.map((id): RestrictionPanelRow => {
      const label = registry.get(id)?.label ?? gather.find((g) => g.connectorId === id)?.label ?? id;
      const row = stored.get(id);
      if (row) {
        const canConfirmHand = !works || !row.byHand || row.liftedAt ? null : !row.handConfirmedAt && !liftRan ? "applied" : liftRan ? "lifted" : null;
        return { ...row, label, canRetry: works && open && gatherFinished && row.state === "failed", canConfirmHand };
      }
      const found = gather.find((g) => g.connectorId === id)?.matches ?? 0;
      return {
        connectorId: id,
        label,
        state: found > 0 ? "not_applied" : "no_records",
        records: found,
        appliedAt: null,
        appliedBy: null,
        liftedAt: null,
        liftedBy: null,
        byHand: false,
        handConfirmedAt: null,
        handConfirmedBy: null,
        error: null,
        canRetry: false,
        canConfirmHand: null,
      };
    });
    const liftActive = lift !== null && ["scheduled", "running", "failed"].includes(lift.status);
    restriction = {
      rows,
      gatherFinished,
      canApply: works && open && gatherFinished && rows.some((row) => row.state === "not_applied" || (row.state === "lifted" && row.records > 0)),
      canLift: role === "dpo" && !liftActive && rows.some((row) => ["applied", "lift_failed", "failed", "not_supported", "by_hand"].includes(row.state)),
      isDpo: role === "dpo",
      lift,
      canStopLift: works && lift?.status === "scheduled",
      canRetryLift: role === "dpo" && lift?.status === "failed",
      noticeDays: env().RESTRICTION_LIFT_NOTICE_DAYS,
    };
  }

  let objection: RightsPanel["objection"] = null;
  if (r.rights.includes("objection")) {
    const status = await objectionStatus(ctx.db, r);
    objection = { status, canRecord: works && open && status.some((s) => !s.since) };
  }
  return { restriction, objection };
}

export const RIGHTS_PANEL_INTENTS = [
  "restriction-apply",
  "restriction-retry",
  "restriction-lift",
  "restriction-lift-stop",
  "restriction-lift-retry",
  "restriction-hand",
  "objection-record",
] as const;

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
      return await scheduleLift({ ctx, reference });
    case "restriction-lift-stop": {
      const reason = String(form.get("reason") ?? "");
      if (reason !== "objected" && reason !== "other") throw new DomainError("invalid_input", { field: "reason" });
      return await stopLift({ ctx, reference, reason });
    }
    case "restriction-lift-retry":
      return await retryLift({ ctx, reference });
    case "restriction-hand": {
      const connectorId = String(form.get("connectorId") ?? "");
      const what = String(form.get("what") ?? "");
      if (!connectorId || connectorId.length > 40) throw new DomainError("invalid_input", { field: "connectorId" });
      if (what !== "applied" && what !== "lifted") throw new DomainError("invalid_input", { field: "what" });
      return await confirmByHand({ ctx, reference, connectorId, what, registry });
    }
    case "objection-record":
      return recordObjection({ ctx, reference, registry });
    default:
      throw new DomainError("invalid_input", { field: "intent" });
  }
}
