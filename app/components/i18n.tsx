import { useRouteLoaderData } from "@remix-run/react";
import type { Locale } from "../../db/schema/enums";
import { catalogues, DEFAULT_LOCALE, type Messages } from "../i18n";
import type { SiteFacts } from "../utils/site";

/** The page's language, from the root loader. */
export function useLocale(): Locale {
  const data = useRouteLoaderData<{ locale: Locale }>("root");
  return data?.locale ?? DEFAULT_LOCALE;
}

export function useT(): Messages {
  return catalogues[useLocale()];
}

/** Who publishes the site (organisation.config.json, through the root loader); null if that file could not be read. */
export function useSite(): SiteFacts | null {
  const data = useRouteLoaderData<{ site?: SiteFacts | null }>("root");
  return data?.site ?? null;
}
