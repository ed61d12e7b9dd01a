import type { MetaDescriptor } from "@remix-run/node";
import type { Locale } from "../../db/schema/enums";
import { catalogues, DEFAULT_LOCALE, type Messages } from "../i18n";
import type { SiteFacts } from "./site";

/** Each page names itself (RGAA 8.6): "<page> — <publisher>", in the page's language, the publisher from organisation.config.json. */
export function pageTitle(pick: (t: Messages) => string) {
  return ({ matches }: { matches: readonly ({ id: string; data?: unknown } | undefined)[] }): MetaDescriptor[] => {
    const root = matches.find((m) => m?.id === "root")?.data as { locale?: Locale; site?: SiteFacts | null } | undefined;
    const t = catalogues[root?.locale ?? DEFAULT_LOCALE];
    return [{ title: `${pick(t)} — ${root?.site?.name ?? "RightsDesk"}` }];
  };
}
