import type { MetaDescriptor } from "@remix-run/node";
import type { Locale } from "../../db/schema/enums";
import { catalogues, DEFAULT_LOCALE, type Messages } from "../i18n";
import type { SiteFacts } from "./site";

type Descriptions = Messages["meta"]["description"];

/**
 * Each page names itself (RGAA 8.6): "<page> — <publisher>", in the page's
 * language, the publisher from organisation.config.json; and describes itself
 * for search engines and shared links, with its own sentence (`describe`) or
 * the site's.
 */
export function pageTitle(pick: (t: Messages) => string, describe: keyof Descriptions = "site") {
  return ({ matches }: { matches: readonly ({ id: string; data?: unknown } | undefined)[] }): MetaDescriptor[] => {
    const root = matches.find((m) => m?.id === "root")?.data as { locale?: Locale; site?: SiteFacts | null } | undefined;
    const t = catalogues[root?.locale ?? DEFAULT_LOCALE];
    const name = root?.site?.name ?? "RightsDesk";
    return [{ title: `${pick(t)} — ${name}` }, { name: "description", content: t.meta.description[describe](name) }];
  };
}
