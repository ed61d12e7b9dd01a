import { readFileSync } from "node:fs";
import { z } from "zod";
import { env } from "./env.server";

/**
 * Who runs the portal, read from `organisation.config.json` (ORGANISATION_CONFIG):
 * the controller, its DPO, the publication director and the host (LCEN art. 6-III),
 * the supervisory authority. The transparency pages, the register's Art. 30
 * header, the email footers and the letters all take their facts from here,
 * so that an installation for another company changes one file, not the code.
 * Multi-line addresses are written with "\n".
 */
const Text = z.string().trim().min(1);
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

let cached: { file: string; value: Organisation } | undefined;

/** The configured organisation, read once per file (tests point ORGANISATION_CONFIG elsewhere). */
export function organisation(): Organisation {
  const file = env().ORGANISATION_CONFIG;
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
