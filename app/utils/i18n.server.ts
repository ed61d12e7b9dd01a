import type { Locale } from "../../db/schema/enums";
import { DEFAULT_LOCALE, isLocale } from "../i18n";
import { readCookie } from "./cookies.server";

/** The chosen language: the `lang` cookie set by the switch, else French. */
export function localeFrom(request: Request): Locale {
  const fromCookie = readCookie(request, "lang");
  return isLocale(fromCookie) ? fromCookie : DEFAULT_LOCALE;
}
