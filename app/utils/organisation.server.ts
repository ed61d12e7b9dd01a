import { readFileSync } from "node:fs";
import { z } from "zod";
import { organisationConfigFile } from "./env.server";
import type { AccessibilityStatus } from "./site";

/**
 * Who runs the portal, read from `organisation.config.json` (ORGANISATION_CONFIG):
 * the controller, its DPO, the publication director and the host (LCEN art. 6-III),
 * the supervisory authority. The transparency pages, the register's Art. 30
 * header, the email footers and the letters all take their facts from here,
 * so that an installation for another company changes one file, not the code.
 * Multi-line addresses are written with "\n".
 */
const Text = z.string().trim().min(1);
/** Free text the pages show as written, one version per language of the site. */
const Localized = z.object({ fr: Text, en: Text });
const IsoDate = z.iso.date({ error: "must be a date written YYYY-MM-DD" });
const SitePath = z.string().regex(/^\/[\w\-/]*$/, { error: "must be a path of this site, such as /demande" });

/**
 * The accessibility statement's facts (RGAA 4.1). The conformity status is
 * not configured: it follows from `audit` (app/utils/organisation.server.ts,
 * `accessibilityStatus`), so it cannot claim more than an audit showed.
 * `checks` are the partial checks actually run (automated tools), stated as
 * such; `knownIssues` the defects known to remain.
 */
const Accessibility = z.object({
  statementDate: IsoDate,
  audit: z
    .object({
      date: IsoDate,
      auditor: Text,
      /** share of the applicable RGAA 4.1 criteria met, in per cent */
      rate: z.number().min(0).max(100),
      pages: z.array(SitePath).min(1),
    })
    .nullable(),
  checks: z.object({ date: IsoDate, tools: z.array(Text).min(1), pages: z.array(SitePath).min(1) }),
  knownIssues: z.array(Localized),
});

export const OrganisationSchema = z.object({
  controller: z.object({
    name: Text,
    legalForm: Text,
    registration: Text,
    vatNumber: Text.optional(),
    address: Text,
    phone: Text,
    email: z.email(),
    representative: Text,
    /** Art. 27: the representative in the Union of a controller established outside it; absent for a company established in the EU */
    euRepresentative: Text.optional(),
  }),
  dpo: z.object({ name: Text, email: z.email(), address: Text }),
  publicationDirector: Text,
  host: z.object({ name: Text, address: Text, phone: Text }),
  supervisoryAuthority: z.object({ name: Text, address: Text, url: z.url() }),
  accessibilityContact: z.email(),
  accessibility: Accessibility,
});
export type Organisation = z.infer<typeof OrganisationSchema>;

export class OrganisationConfigError extends Error {
  constructor(file: string, problems: string[]) {
    super(`Invalid organisation configuration (${file}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "OrganisationConfigError";
  }
}

export function parseOrganisation(json: unknown, file = "organisation"): Organisation {
  const parsed = OrganisationSchema.safeParse(json);
  if (!parsed.success) throw new OrganisationConfigError(file, parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`));
  return parsed.data;
}

/**
 * RGAA 4.1: "totalement conforme" when every criterion is met, "partiellement
 * conforme" from 50 %, otherwise — and whenever no audit exists to measure
 * the criteria — "non conforme". Automated checks are not an audit.
 */
export function accessibilityStatus(org: Pick<Organisation, "accessibility">): AccessibilityStatus {
  const audit = org.accessibility.audit;
  if (!audit) return "none";
  if (audit.rate >= 100) return "total";
  return audit.rate >= 50 ? "partial" : "none";
}

let cached: { file: string; value: Organisation } | undefined;

/** The configured organisation, read once per file (tests point ORGANISATION_CONFIG elsewhere). */
export function organisation(): Organisation {
  const file = organisationConfigFile();
  if (cached?.file !== file) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new OrganisationConfigError(file, [(e as Error).message]);
    }
    cached = { file, value: parseOrganisation(json, file) };
  }
  return cached.value;
}

/** Who signs what is sent to a company (Art. 19 notices, forwarded requests): the DPO, as configured. */
export function businessSender(): { name: string; dpoName: string; dpoEmail: string; dpoAddress: string } {
  const o = organisation();
  return { name: o.controller.name, dpoName: o.dpo.name, dpoEmail: o.dpo.email, dpoAddress: o.dpo.address.replace(/\n/g, ", ") };
}
