import type { ErasureAction, ErasurePlan, Match } from "../types";
import type { Config, TableMapping } from "./config";
import { heldAfterMasking } from "./masking";

/**
 * The plan the mapping proposes for these matches: each dataset's declared
 * strategy (delete, anonymize with its masking rules, or retain with its
 * legal basis). A starting point for the DPO's dry run, who may change any
 * step before approving; `erase` executes whatever was approved.
 *
 * An anonymize step says what the row will still hold, column by column, with
 * the legal ground and end date of each: that is what the plan shows the DPO
 * and what the certificate tells the person (anonymised only when nothing but
 * the primary key is left).
 */
export function proposedErasurePlan(config: Config, matches: Match[]): ErasurePlan {
  const steps: ErasurePlan["steps"] = [];
  const actions = new Map<string, ErasureAction>();
  for (const match of matches) {
    if (match.connectorId !== config.id) continue;
    const table = config.mapping.tables[match.dataset];
    if (!table) continue;
    let action = actions.get(match.dataset);
    if (!action) actions.set(match.dataset, (action = actionFor(match.dataset, table)));
    steps.push({ match, action });
  }
  return { steps };
}

function actionFor(dataset: string, table: TableMapping): ErasureAction {
  const erasure = table.erasure;
  const columns = Object.keys(table.columns).filter((c) => c !== table.primaryKey);
  if (erasure.strategy === "delete") return { kind: "delete" };
  if (erasure.strategy === "retain") return { kind: "retain", legalBasis: erasure.legalBasis, until: erasure.until, fields: columns };
  const { held, removed } = heldAfterMasking(Object.keys(table.columns), table.primaryKey, erasure.mask);
  return {
    kind: "anonymize",
    rule: `mapping:${dataset}`,
    removed,
    kept: held.map((h) => ({
      field: h.column,
      form: h.form,
      // The schema requires `kept` whenever a column is held without a retain rule of its own.
      legalBasis: h.retain?.legalBasis ?? erasure.kept?.legalBasis ?? "",
      until: h.retain?.until ?? erasure.kept?.until ?? "",
    })),
  };
}
