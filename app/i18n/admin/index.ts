import type { Locale } from "../../../db/schema/enums";
import { adminEn } from "./en";
import { adminFr, type AdminMessages } from "./fr";

export type { AdminMessages };

/**
 * The back office's messages, apart from the public catalogues
 * (app/i18n/index.ts): a public page never downloads them (ADR 0017, the
 * page budget).
 */
export const adminCatalogues: Record<Locale, AdminMessages> = { fr: adminFr, en: adminEn };
