/** RGAA 4.1's three conformity statuses: totalement, partiellement, non conforme. */
export type AccessibilityStatus = "total" | "partial" | "none";

/** What every public page's footer and title show: who publishes the site, its DPO, the accessibility status. */
export type SiteFacts = { name: string; dpoEmail: string; accessibility: AccessibilityStatus };
