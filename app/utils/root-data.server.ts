import type { Locale } from "../../db/schema/enums";
import { siteFacts } from "../services/transparency.server";
import { localeFrom } from "./i18n.server";
import { log } from "./log.server";
import type { SiteFacts } from "./site";

export type RootData = { locale: Locale; site: SiteFacts | null };

/**
 * What every page's frame needs: the visitor's language and who publishes the
 * site (footer, titles). Start-up refuses an invalid organisation.config.json
 * (scripts/serve.ts); should it turn invalid while running, pages still
 * render, with a footer that names nobody rather than a 500 on every page.
 */
export function rootData(request: Request): RootData {
  let site: SiteFacts | null = null;
  try {
    site = siteFacts();
  } catch (error) {
    log.error("organisation.config.invalid", { error: error instanceof Error ? error.name : "unknown" });
  }
  return { locale: localeFrom(request), site };
}
