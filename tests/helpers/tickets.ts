import { eq } from "drizzle-orm";
import type { Site } from "../../db/schema/enums";
import { requests } from "../../db/schema/requests";
import { IntakeInput } from "../../app/services/intake-input";
import * as requestsService from "../../app/services/requests.server";
import { db, first } from "../../app/utils/db.server";

let n = 0;

/**
 * A verified ticket made through the same services as a real filing, received
 * `daysAgo` days ago and verified an hour later. `site` stands in for agent
 * intake where a test needs a site-bound ticket.
 */
export async function verifiedTicket(opts: { daysAgo?: number; site?: Site | null; email?: string; rights?: string[] } = {}) {
  const receivedAt = new Date(Date.now() - (opts.daysAgo ?? 0) * 86_400_000 - 2 * 3_600_000);
  const input = IntakeInput.parse({
    rights: opts.rights ?? ["access"],
    lastName: "Martin",
    firstName: "Lucie",
    email: opts.email ?? `lucie.martin.${++n}@example.fr`,
    phone: "",
    onBehalf: "self",
    subjectLastName: "",
    subjectFirstName: "",
    details: "",
    rectificationWrong: "",
    rectificationCorrect: "",
    contactConsent: true,
  });
  const filed = await requestsService.file({ ctx: { db: db(), now: receivedAt, actor: { kind: "requester" } }, input, locale: "fr", mandate: null });
  if (opts.site) await db().update(requests).set({ site: opts.site }).where(eq(requests.id, filed.id));
  await requestsService.confirmIdentity({ ctx: { db: db(), now: new Date(receivedAt.getTime() + 3_600_000), actor: { kind: "requester" } }, requestId: filed.id, method: "email" });
  return { reference: filed.reference, email: input.email, id: filed.id };
}

export async function ticketRow(reference: string) {
  return (await first(db().select().from(requests).where(eq(requests.reference, reference))))!;
}
