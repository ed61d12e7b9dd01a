import { siteCookies } from "../utils/cookies.server";
import { env } from "../utils/env.server";
import { accessibilityStatus, organisation, type Organisation } from "../utils/organisation.server";
import type { AccessibilityStatus, SiteFacts } from "../utils/site";
import type { Ctx } from "./context";
import type { Transfer } from "../../db/schema/register";
import { art15Information, type Art15Entry } from "./register.server";

/**
 * The public site's transparency pages: the privacy notice (Art. 13), the
 * legal mentions (LCEN art. 6-III), the cookies and the accessibility
 * statement (RGAA 4.1). Each verb returns facts, never sentences: the facts
 * of the organisation come from organisation.config.json, those of the
 * processing from the register, so that the pages, the register and the
 * access letter cannot say different things. Public pages: no actor needed,
 * and nothing personal is read.
 */

export type { SiteFacts };

export type PrivacyNotice = {
  controller: Organisation["controller"];
  dpo: Organisation["dpo"];
  authority: Organisation["supervisoryAuthority"];
  /** Art. 13(1)(f): the transfers outside the EU the register records for these operations ([] = none) */
  transfers: Transfer[];
  /** the register's operations on RightsDesk's own requests (OP-07 in the seed); empty when the register lacks them */
  operations: Art15Entry[];
  /** the two closures nobody decides: a request never confirmed, a question to the requester left unanswered (days) */
  unverifiedExpiryDays: number;
  infoRequestCloseDays: number;
};

export async function privacyNotice({ ctx }: { ctx: Pick<Ctx, "db"> }): Promise<PrivacyNotice> {
  const org = organisation();
  // The datasets filter with no dataset found keeps exactly the operations every requester is subject to.
  const operations = await art15Information(ctx.db, []);
  return {
    controller: org.controller,
    dpo: org.dpo,
    authority: org.supervisoryAuthority,
    transfers: [...new Map(operations.flatMap((o) => o.transfers).map((t) => [JSON.stringify(t), t])).values()],
    operations,
    unverifiedExpiryDays: env().UNVERIFIED_EXPIRY_DAYS,
    infoRequestCloseDays: env().INFO_REQUEST_CLOSE_DAYS,
  };
}

export type LegalNotice = Pick<Organisation, "controller" | "publicationDirector" | "host" | "dpo">;

export function legalNotice(): LegalNotice {
  const { controller, publicationDirector, host, dpo } = organisation();
  return { controller, publicationDirector, host, dpo };
}

export type CookieNotice = { controllerName: string; cookies: ReturnType<typeof siteCookies> };

export function cookieNotice(): CookieNotice {
  return { controllerName: organisation().controller.name, cookies: siteCookies() };
}

export type AccessibilityStatement = {
  controllerName: string;
  /** the site the statement covers */
  site: string;
  phone: string;
  contact: string;
  postalAddress: string;
  status: AccessibilityStatus;
  accessibility: Organisation["accessibility"];
};

export function accessibilityStatement(): AccessibilityStatement {
  const org = organisation();
  return {
    controllerName: org.controller.name,
    site: env().BASE_URL,
    phone: org.controller.phone,
    contact: org.accessibilityContact,
    postalAddress: org.controller.address,
    status: accessibilityStatus(org),
    accessibility: org.accessibility,
  };
}

export function siteFacts(): SiteFacts {
  const org = organisation();
  return { name: org.controller.name, dpoEmail: org.dpo.email, accessibility: accessibilityStatus(org) };
}
