import { sql } from "drizzle-orm";
import type { Ctx } from "../app/services/context";
import { IntakeInput } from "../app/services/intake-input";
import * as requests from "../app/services/requests.server";
import type { Db } from "../app/utils/db.server";

/**
 * Demo data, written through the same services as real requests so that the
 * timeline, the paused clock and the outbox look exactly as they would.
 * Idempotent: does nothing when requests already exist.
 */
const DAY = 86_400_000;

type Person = Parameters<typeof IntakeInput.parse>[0];
const people: { daysAgo: number; verifyAfterDays: number | null; input: Person }[] = [
  {
    daysAgo: 12,
    verifyAfterDays: 1,
    input: {
      rights: ["access"], lastName: "Desmarc", firstName: "Corinne", email: "desmarc.corinne@orange.fr", phone: "",
      onBehalf: "self", subjectLastName: "", subjectFirstName: "", details: "Questionnaire Osiris sur la publicité et les réseaux sociaux, appel reçu à Tours.",
      rectificationWrong: "", rectificationCorrect: "", contactConsent: true,
    },
  },
  {
    daysAgo: 3,
    verifyAfterDays: 0,
    input: {
      rights: ["rectification"], lastName: "Blanc", firstName: "David", email: "david.blanc@example.fr", phone: "06 12 34 56 78",
      onBehalf: "self", subjectLastName: "", subjectFirstName: "", details: "",
      rectificationWrong: "Date de naissance enregistrée au 05/12", rectificationCorrect: "12/05 (inversion jour/mois)", contactConsent: true,
    },
  },
  {
    daysAgo: 1,
    verifyAfterDays: null,
    input: {
      rights: ["erasure", "objection"], lastName: "Azri", firstName: "Nadia", email: "", phone: "07 81 22 33 44", verificationMethod: "sms",
      onBehalf: "self", subjectLastName: "", subjectFirstName: "", details: "Je ne souhaite plus être appelée pour des enquêtes.",
      rectificationWrong: "", rectificationCorrect: "", contactConsent: false,
    },
  },
];

export function seed(db: Db, now = new Date()): { created: string[] } {
  const existing = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM requests`).n;
  if (existing > 0) return { created: [] };
  const created: string[] = [];
  const inputs = people.map((p) => IntakeInput.parse(p.input)); // all valid, or nothing written
  for (const [i, p] of people.entries()) {
    const filedAt = new Date(now.getTime() - p.daysAgo * DAY);
    const ctx: Ctx = { db, now: filedAt, actor: { kind: "requester" } };
    const filed = requests.file({ ctx, input: inputs[i]!, locale: "fr", mandate: null });
    created.push(filed.reference);
    if (p.verifyAfterDays === null) continue;
    const verifyCtx: Ctx = { db, now: new Date(filedAt.getTime() + p.verifyAfterDays * DAY + 3_600_000), actor: { kind: "requester" } };
    requests.confirmIdentity({ ctx: verifyCtx, requestId: filed.id, method: "email" });
  }
  return { created };
}
