import { useRouteLoaderData } from "@remix-run/react";
import type { Locale } from "../../db/schema/enums";
import { catalogues, DEFAULT_LOCALE, type Messages } from "../i18n";

/** The page's language, from the root loader. */
export function useLocale(): Locale {
  const data = useRouteLoaderData<{ locale: Locale }>("root");
  return data?.locale ?? DEFAULT_LOCALE;
}

export function useT(): Messages {
  return catalogues[useLocale()];
}
