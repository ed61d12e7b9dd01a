import { and, asc, desc, eq, isNull, lt, sql } from "drizzle-orm";
import type { Registry } from "../app/connectors/registry";
import { setHold } from "../app/services/retention.server";
import { AgentIntakeInput, checkCallerCode, checkContactCode, recordRequest, sendContactCode } from "../app/services/agent-intake.server";
import type { Ctx } from "../app/services/context";
import { IntakeInput } from "../app/services/intake-input";
import { deliverDue } from "../app/services/outbox.server";
import { instantToParisLocal } from "../app/utils/paris-time";
import * as requests from "../app/services/requests.server";
import { createStaff, toActor } from "../app/services/staff.server";
import * as tickets from "../app/services/tickets.server";
import type { Db } from "../app/utils/db.server";
import { SITES, type Role, type Site } from "../db/schema/enums";
import { outbox } from "../db/schema/outbox";
import { requests as requestsTable } from "../db/schema/requests";
import { litigationHolds } from "../db/schema/retention";
import { staff } from "../db/schema/staff";
import { first, rawGet } from "../app/utils/db.server";

/**
 * The demo's people read back the codes they receive, as a caller does to
 * an agent: the code is taken from the message RightsDesk "sent" (the dev
 * outbox), so the proof goes through the same services as a real one.
 */
export async function readBackCode(db: Db, reference: string): Promise<string> {
  const r = (await first(db.select({ id: requestsTable.id }).from(requestsTable).where(eq(requestsTable.reference, reference))))!;
  const row = await first(db.select({ text: outbox.text }).from(outbox).where(and(eq(outbox.requestId, r.id), eq(outbox.template, "agent_code"))).orderBy(desc(outbox.id)));
  // The reference ends in six digits too: the code is the last group of six.
  const code = row ? [...row.text.matchAll(/(?<![\d-])(\d{6})(?!\d)/g)].at(-1)?.[1] : undefined;
  if (!code) throw new Error(`no code was sent for ${reference}`);
  return code;
}

/** An agent's caller reads the code sent to the contact given: identity verified, that contact proven. */
export async function callerReadsCode(ctx: Ctx, reference: string) {
  const r = await checkCallerCode({ ctx, reference, code: await readBackCode(ctx.db, reference) });
  if (!r.ok) throw new Error(`the code for ${reference} was refused`);
}

/** A person seen in person proves a contact they give (their email, their mobile) with a code read at the desk. */
export async function provesContactInPerson(ctx: Ctx, reference: string, via: "email" | "sms") {
  await sendContactCode({ ctx, reference, via });
  const r = await checkContactCode({ ctx, reference, via, code: await readBackCode(ctx.db, reference) });
  if (!r.ok) throw new Error(`the code for ${reference} was refused`);
}

export const provesEmailInPerson = async (ctx: Ctx, reference: string) => await provesContactInPerson(ctx, reference, "email");

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

/** One account per role (and an agent per site); demo passwords, never used outside the demo. */
export const DEMO_STAFF: { email: string; displayName: string; role: Role; site: Site; password: string }[] = [
  { email: "admin@centrecall.example", displayName: "Mme Azri (DSI)", role: "admin", site: "tours", password: "demo-admin-2026" },
  { email: "dpo@centrecall.example", displayName: "Claire Moreau (DPO)", role: "dpo", site: "tours", password: "demo-dpo-2026" },
  { email: "support@centrecall.example", displayName: "Julien Petit (support)", role: "support", site: "tours", password: "demo-support-2026" },
  ...SITES.map((site) => ({
    email: `agent.${site}@centrecall.example`,
    displayName: `Agent ${site[0]!.toUpperCase()}${site.slice(1)}`,
    role: "agent" as const,
    site,
    password: `demo-agent-${site}-2026`,
  })),
];

export async function seedStaff(db: Db, now = new Date()) {
  const existing = (await rawGet<{ n: number }>(db, sql`SELECT count(*) AS n FROM staff`))!.n;
  if (existing > 0) return 0;
  for (const s of DEMO_STAFF) {
    await createStaff({ ctx: { db, now, actor: { kind: "system" } }, input: { email: s.email, displayName: s.displayName, role: s.role, site: s.site }, password: s.password });
  }
  return DEMO_STAFF.length;
}

const FIRST = ["Camille", "Louis", "Emma", "Hugo", "Léa", "Nathan", "Chloé", "Lucas", "Manon", "Théo", "Inès", "Jules", "Sarah", "Paul", "Zoé", "Arthur"];
const LAST = ["Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand"];

/**
 * Corinne Desmarc, the one person found in all three demo systems (survey,
 * recordings, CRM), met in person at Tours: a verified ticket asking for
 * access, rectification, erasure, portability, restriction and objection, to try each
 * right end to end. Returns her reference (the existing one on a re-run).
 */
export async function seedCorinne(db: Db, now = new Date()): Promise<string> {
  const existing = await rawGet<{ reference: string }>(db, sql`SELECT reference FROM requests WHERE email = 'desmarc.corinne@orange.fr' AND rights LIKE '%"erasure"%' ORDER BY id LIMIT 1`);
  if (existing) return existing.reference;
  const support = toActor((await db.select().from(staff)).find((s) => s.email === "support@centrecall.example")!);
  const { reference } = await recordRequest({
    ctx: { db, now, actor: support },
    input: AgentIntakeInput.parse({
      channel: "in_person",
      receivedAtLocal: instantToParisLocal(new Date(now.getTime() - 2 * 3_600_000)),
      site: "tours",
      rights: ["access", "rectification", "erasure", "portability", "restriction", "objection"],
      lastName: "Desmarc",
      firstName: "Corinne",
      email: "desmarc.corinne@orange.fr",
      phone: "02 47 00 00 00",
      details: "Vue à l'accueil de Tours avec sa pièce d'identité. Son nom est mal orthographié dans le CRM ; elle ne veut plus être appelée pour des études.",
      verification: "document",
    }),
  });
  // Her email is proven with a code she reads at the desk; her landline cannot receive one: it is
  // found in her survey record, and support confirms it there to search the recordings.
  await provesEmailInPerson({ db, now, actor: support }, reference);
  return reference;
}

/**
 * Tickets recorded by each site's agent over the last seven weeks, so the DPO
 * queue has overdue, at-risk and fresh tickets everywhere, and the reports
 * have closed ones to count.
 */
export async function seedSiteTickets(db: Db, now = new Date()) {
  const existing = (await rawGet<{ n: number }>(db, sql`SELECT count(*) AS n FROM requests WHERE channel <> 'web'`))!.n;
  if (existing > 0) return 0;
  const staffRows = await db.select().from(staff);
  const actorFor = (email: string) => toActor(staffRows.find((s) => s.email === email)!);
  const dpo = actorFor("dpo@centrecall.example");
  const support = actorFor("support@centrecall.example");
  const channels = ["phone", "mail", "email", "in_person"] as const;
  const rightsCycle = [["access"], ["erasure"], ["objection"], ["rectification"], ["access", "portability"], ["restriction"], ["erasure", "objection"]] as const;
  let n = 0;
  for (const [siteIndex, site] of SITES.entries()) {
    const agent = actorFor(`agent.${site}@centrecall.example`);
    for (const daysAgo of [48, 41, 36, 33, 29, 26, 22, 15, 9, 4, 1]) {
      n++;
      const receivedAt = new Date(now.getTime() - daysAgo * DAY - (siteIndex + 1) * 3_600_000);
      const ctx: Ctx = { db, now: receivedAt, actor: agent };
      const rights = rightsCycle[n % rightsCycle.length]!;
      const channel = channels[n % channels.length]!;
      const { reference } = await recordRequest({
        ctx,
        input: AgentIntakeInput.parse({
          channel,
          receivedAtLocal: instantToParisLocal(receivedAt),
          site,
          rights: [...rights],
          lastName: LAST[n % LAST.length],
          firstName: FIRST[(n * 7) % FIRST.length],
          email: `${FIRST[(n * 7) % FIRST.length]!.toLowerCase().normalize("NFD").replace(/[^a-z]/g, "")}.${LAST[n % LAST.length]!.toLowerCase()}${n}@example.fr`,
          phone: "",
          details: "",
          // A document only in person; everyone else reads back the code sent to their email.
          verification: channel === "in_person" ? "document" : "code_email",
        }),
      });
      if (channel === "in_person") await provesEmailInPerson(ctx, reference);
      else await callerReadsCode(ctx, reference);
      const later = (days: number): Ctx => ({ db, now: new Date(receivedAt.getTime() + days * DAY), actor: dpo });
      // Old tickets are mostly closed (some in time, some late); recent ones are in every open state.
      // Every date stays before the demo's now: a ticket closed late (35 days after receipt) was received at least 36 days ago.
      if (daysAgo >= 33 && n % 3 !== 0) {
        const late = n % 2 === 0 && daysAgo >= 36;
        await tickets.start({ ctx: later(2), reference });
        await tickets.markReady({ ctx: later(late ? 34 : 20), reference });
        await tickets.complete({ ctx: later(late ? 35 : 21), reference });
      } else if (daysAgo === 29 && siteIndex % 2 === 0) {
        await tickets.extend({ ctx: later(10), reference, reasons: "Demande complexe : plusieurs bases d'enquêtes et des enregistrements d'appels à rechercher." });
      } else if (daysAgo === 22) {
        await tickets.start({ ctx: later(1), reference });
        await tickets.askRequester({ ctx: later(2), reference, reason: "scope", question: "Pouvez-vous préciser l'enquête concernée ?" });
      } else if (daysAgo === 15 && siteIndex === 1) {
        await tickets.refuse({ ctx: later(3), reference, input: { reasons: ["excessive"], text: "Troisième demande identique en un mois." } });
      } else if (daysAgo >= 9 && n % 2 === 0) {
        await tickets.assign({ ctx: later(1), reference, assigneeId: support.id });
        await tickets.start({ ctx: { ...later(1), actor: support }, reference });
      }
    }
  }
  return n;
}

export async function seed(db: Db, now = new Date()): Promise<{ created: string[] }> {
  const existing = (await rawGet<{ n: number }>(db, sql`SELECT count(*) AS n FROM requests WHERE channel = 'web'`))!.n;
  if (existing > 0) return { created: [] };
  const created: string[] = [];
  const inputs = people.map((p) => IntakeInput.parse(p.input)); // all valid, or nothing written
  for (const [i, p] of people.entries()) {
    const filedAt = new Date(now.getTime() - p.daysAgo * DAY);
    const ctx: Ctx = { db, now: filedAt, actor: { kind: "requester" } };
    const filed = await requests.file({ ctx, input: inputs[i]!, locale: "fr", mandate: null });
    created.push(filed.reference);
    if (p.verifyAfterDays === null) continue;
    const verifyCtx: Ctx = { db, now: new Date(filedAt.getTime() + p.verifyAfterDays * DAY + 3_600_000), actor: { kind: "requester" } };
    await requests.confirmIdentity({ ctx: verifyCtx, requestId: filed.id, method: "email" });
  }
  return { created };
}

/** A one-page PDF saying what the demo mandate states (a real mandate is a signed scan). */
function demoMandatePdf(): Buffer {
  const text = "Mandat : Sophie Lambert represente David Blanc pour l'acces a ses donnees (enquetes et appels), jusqu'au 31/12/2027.";
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${text.length + 30} >>\nstream\nBT /F1 11 Tf 40 780 Td (${text}) Tj ET\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

/**
 * The cases issue 13 was about, ready to try (README, "What to try"):
 * a person held nowhere, a caller to call back on a number on record, a
 * postal request waiting for its code, and a representative's mandate to
 * review. Idempotent: each is made once.
 */
export async function seedAnswerCases(db: Db, now = new Date()): Promise<{ nobody: string; caller: string; postal: string; representative: string }> {
  const existing = async (sqlWhere: ReturnType<typeof sql>) => (await rawGet<{ reference: string }>(db, sql`SELECT reference FROM requests WHERE ${sqlWhere} ORDER BY id LIMIT 1`))?.reference;
  const staffRows = await db.select().from(staff);
  const actorFor = (email: string) => toActor(staffRows.find((x) => x.email === email)!);

  // Held in no system: web request for access and erasure, confirmed by email; support proved his
  // mobile too, with a code read on the phone, so that every system can be searched.
  const nobody =
    (await existing(sql`email = 'marc.personne@example.org'`)) ??
    (await (async () => {
      const filedAt = new Date(now.getTime() - 2 * DAY);
      const input = IntakeInput.parse({
        rights: ["access", "erasure"], lastName: "Personne", firstName: "Marc", email: "marc.personne@example.org", phone: "06 55 44 33 22",
        onBehalf: "self", subjectLastName: "", subjectFirstName: "", details: "Je pense avoir été appelé pour une enquête l'an dernier.",
        rectificationWrong: "", rectificationCorrect: "", contactConsent: true,
      });
      const filed = await requests.file({ ctx: { db, now: filedAt, actor: { kind: "requester" } }, input, locale: "fr", mandate: null });
      await requests.confirmIdentity({ ctx: { db, now: new Date(filedAt.getTime() + 3_600_000), actor: { kind: "requester" } }, requestId: filed.id, method: "email" });
      await provesContactInPerson({ db, now: new Date(filedAt.getTime() + 2 * 3_600_000), actor: actorFor("support@centrecall.example") }, filed.reference, "sms");
      return filed.reference;
    })());

  // A caller at Lille: Nadia Azri's mobile is in the survey, the recordings and the CRM; the agent calls it back.
  const caller =
    (await existing(sql`phone = '+33781223344' AND channel = 'phone'`)) ??
    (await recordRequest({
      ctx: { db, now, actor: actorFor("agent.lille@centrecall.example") },
      input: AgentIntakeInput.parse({
        channel: "phone", receivedAtLocal: instantToParisLocal(new Date(now.getTime() - 3_600_000)), site: "lille", rights: ["access", "objection"],
        lastName: "Azri", firstName: "Nadia", email: "", phone: "07 81 22 33 44", details: "Appel entrant : veut savoir ce que nous avons enregistré.", verification: "callback",
      }),
    })).reference;

  // A letter from Julien Desmarc, no email, no phone: the code goes back by post.
  const postal =
    (await existing(sql`channel = 'mail' AND last_name = 'Desmarc' AND postal_address IS NOT NULL`)) ??
    (await recordRequest({
      ctx: { db, now, actor: actorFor("agent.tours@centrecall.example") },
      input: AgentIntakeInput.parse({
        channel: "mail", receivedAtLocal: instantToParisLocal(new Date(now.getTime() - 2 * DAY)), site: "tours", rights: ["access"],
        lastName: "Desmarc", firstName: "Julien", email: "", phone: "", postalAddress: "2, place de l'Église\n37100 Tours", postcode: "37100",
        details: "Courrier reçu au siège : demande d'accès aux réponses de l'enquête Osiris.", verification: "postal_code",
      }),
    })).reference;

  // A lawyer for David Blanc, with a mandate to review.
  const representative =
    (await existing(sql`email = 's.lambert@avocats.example'`)) ??
    (await (async () => {
      const filedAt = new Date(now.getTime() - DAY);
      const input = IntakeInput.parse({
        rights: ["access"], lastName: "Lambert", firstName: "Sophie", email: "s.lambert@avocats.example", phone: "",
        onBehalf: "other", subjectLastName: "Blanc", subjectFirstName: "David", subjectEmail: "david.blanc@example.fr", subjectPhone: "",
        mandateUntil: `${now.getUTCFullYear() + 1}-12-31`, mandateScope: "Ses réponses aux enquêtes et ses appels enregistrés", mandateAnswerTo: "representative",
        details: "Je représente M. Blanc (mandat joint).", rectificationWrong: "", rectificationCorrect: "", contactConsent: true,
      });
      const filed = await requests.file({ ctx: { db, now: filedAt, actor: { kind: "requester" } }, input, locale: "fr", mandate: { bytes: demoMandatePdf(), mimeType: "application/pdf" } });
      await requests.confirmIdentity({ ctx: { db, now: new Date(filedAt.getTime() + 3_600_000), actor: { kind: "requester" } }, requestId: filed.id, method: "email" });
      return filed.reference;
    })());

  return { nobody, caller, postal, representative };
}

/**
 * Retention in the demo: David Blanc's call of 41 days ago (rec-000001, past
 * OP-01's 25 days) is held by the DPO for a dispute, so the purge keeps it
 * and his ticket shows a recording past retention. Once: a hold in force is left as it is.
 */
export async function seedRetentionHold(db: Db, registry: Pick<Registry, "get">, now = new Date()): Promise<boolean> {
  if ((await first(db.select({ id: litigationHolds.id }).from(litigationHolds).where(and(eq(litigationHolds.itemKey, "rec-000001"), isNull(litigationHolds.liftedAt)))))) return false;
  if (!registry.get("recordings")?.retention) return false;
  const dpo = toActor((await first(db.select().from(staff).where(eq(staff.email, "dpo@centrecall.example"))))!);
  await setHold({ ctx: { db, now, actor: dpo }, registry, input: { connectorId: "recordings", itemKey: "rec-000001", reason: "Contestation par le client Osiris des réponses recueillies lors de cet appel (dossier litige L-2026-014) : enregistrement conservé jusqu'à la clôture du litige." } });
  return true;
}

/**
 * The seed writes history, dated in the past: what it queued then was sent
 * then, as the server's sender would have sent it at the time — not at the
 * demo's start, when the codes in it have long expired (they would turn into
 * "your code expired before we could send it" notices) and closing letters
 * of past closures would still be waiting.
 */
export async function deliverSeedHistory(db: Db, before: Date): Promise<number> {
  const times = await db
    .selectDistinct({ at: outbox.nextAttemptAt })
    .from(outbox)
    .where(and(eq(outbox.status, "pending"), lt(outbox.nextAttemptAt, before)))
    .orderBy(asc(outbox.nextAttemptAt));
  let sent = 0;
  for (const { at } of times) sent += (await deliverDue({ db, now: at, batch: 1000 })).sent;
  return sent;
}
