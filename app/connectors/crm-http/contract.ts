import { z } from "zod";

/**
 * The client CRM's REST contract, as RightsDesk reads it. The demo server
 * (scripts/demo-crm.ts) and the test mocks (tests/mocks/crm.ts) implement it;
 * docs in the connector's index.ts.
 *
 *   every request      Authorization: Bearer <token>   (401 without it)
 *   GET    /health                → 200 { ok: true }
 *   GET    /contacts?email=…      → 200 { contacts: Contact[] }   exact, case-insensitive
 *   GET    /contacts?phone=…      → 200 { contacts: Contact[] }   exact E.164
 *   GET    /contacts/:id          → 200 Contact & { interactions: Interaction[] } | 404
 *   PATCH  /contacts/:id  ContactPatch (JSON) → 200 Contact | 400 | 404
 *   DELETE /contacts/:id          → 204 | 404 (already gone)
 *
 * Dates are ISO 8601. Errors are { error: string } and never echo the query.
 */

/** The fields a person gives the CRM about themselves: rectifiable, and in the portability subset. */
export const CONTACT_FIELDS = ["email", "phone", "lastName", "firstName", "address", "postcode", "city"] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

export type ContactJson = {
  id: string;
  email: string | null;
  phone: string | null;
  lastName: string | null;
  firstName: string | null;
  address: string | null;
  postcode: string | null;
  city: string | null;
  createdAt: string;
};
export type InteractionJson = { id: string; at: string; channel: string; summary: string | null; agentId: string | null };
export type ContactDetailJson = ContactJson & { interactions: InteractionJson[] };
export type ContactPatch = Partial<Pick<ContactJson, ContactField>>;

// What we accept is a little wider than what we document: ids may be numbers,
// absent optional fields mean null, and unknown fields are kept — data the CRM
// holds about a person belongs in their access copy even if we did not expect it.
const id = z.union([z.string().min(1), z.number().int()]).transform(String);
const text = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

export const ContactSchema = z.looseObject({
  id,
  email: text,
  phone: text,
  lastName: text,
  firstName: text,
  address: text,
  postcode: text,
  city: text,
  createdAt: text,
});

export const InteractionSchema = z.looseObject({
  id,
  at: text,
  channel: text,
  summary: text,
  agentId: text,
});

export const ContactListSchema = z.object({ contacts: z.array(ContactSchema) });
export const ContactDetailSchema = ContactSchema.extend({ interactions: z.array(InteractionSchema).default([]) });
export const HealthSchema = z.looseObject({ ok: z.boolean().optional() });

/** What a PATCH body may hold; servers answer 400 to anything else. */
export const ContactPatchSchema = z.strictObject(Object.fromEntries(CONTACT_FIELDS.map((f) => [f, z.string().max(500).nullable().optional()])) as Record<ContactField, z.ZodOptional<z.ZodNullable<z.ZodString>>>);
