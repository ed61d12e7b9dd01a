import type { Locale } from "../../db/schema/enums";
import { DEFAULT_LOCALE, isLocale } from "../i18n";
import { cookieFrom } from "./cookie-header";

/** The chosen language: the `lang` cookie set by the switch, else French. */
export function localeFrom(request: Request): Locale {
  return localeFromCookies(request.headers.get("cookie"));
}

/** The same from a raw Cookie header (the express front's error page has no Fetch Request). */
export function localeFromCookies(header: string | null | undefined): Locale {
  const fromCookie = cookieFrom(header, "lang");
  return isLocale(fromCookie) ? fromCookie : DEFAULT_LOCALE;
}
