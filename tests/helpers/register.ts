import type { ProcessingOperation } from "../../db/schema/register";

/** An operation's edit form as the page fills it (lists one item per line), with some fields overridden. */
export function operationForm(op: ProcessingOperation, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    expectedVersion: String(op.version),
    name: op.name,
    purpose: op.purpose,
    legalBasis: op.legalBasis,
    dataCategories: op.dataCategories.join("\n"),
    personCategories: op.personCategories.join("\n"),
    recipients: op.recipients.join("\n"),
    source: op.source,
    retention: op.retention,
    retentionDays: op.retentionDays === null ? "" : String(op.retentionDays),
    datasets: op.datasets.join("\n"),
    role: op.role,
    controllerClient: op.controllerClient ?? "",
    jointControllers: op.jointControllers.join("\n"),
    processors: op.processors.join("\n"),
    transfers: op.transfers.map((t) => `${t.recipient} ; ${t.country} ; ${t.safeguard}`).join("\n"),
    securityMeasures: op.securityMeasures.join("\n"),
    sensitiveData: op.sensitiveData ?? "",
    ...overrides,
  };
}
