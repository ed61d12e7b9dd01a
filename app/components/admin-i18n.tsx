import { adminCatalogues, type AdminMessages } from "../i18n/admin";
import { useLocale } from "./i18n";

/** The back office's messages in the page's language (kept out of the public pages' scripts). */
export function useAdminT(): AdminMessages {
  return adminCatalogues[useLocale()];
}
