import type { ErasureAction, ErasurePlan, Match } from "../types";
import type { Config } from "./config";

/**
 * The plan the mapping proposes for these matches: each dataset's declared
 * strategy (delete, anonymize with its masking rules, or retain with its
 * legal basis). A starting point for the DPO's dry run, who may change any
 * step before approving; `erase` executes whatever was approved.
 */
export function proposedErasurePlan(config: Config, matches: Match[]): ErasurePlan {
  const steps: ErasurePlan["steps"] = [];
  for (const match of matches) {
    if (match.connectorId !== config.id) continue;
    const erasure = config.mapping.tables[match.dataset]?.erasure;
    if (!erasure) continue;
    const action: ErasureAction =
      erasure.strategy === "retain"
        ? { kind: "retain", legalBasis: erasure.legalBasis, until: erasure.until }
        : erasure.strategy === "anonymize"
          ? { kind: "anonymize", rule: `mapping:${match.dataset}` }
          : { kind: "delete" };
    steps.push({ match, action });
  }
  return { steps };
}
