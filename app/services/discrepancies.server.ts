import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import type { FieldValue } from "../connectors/types";
import type { DbOrTx } from "../utils/db.server";
import { readGathered } from "./gather-store.server";

/**
 * Where CentreCall's systems disagree about the same person (the seed's
 * integrity ticket: what was said on the phone vs what is in the database).
 * Staff use it to offer rectification; nothing is changed here.
 */
export const IDENTITY_FIELDS = ["lastName", "firstName", "address", "postcode", "city", "email", "phone"] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

/** Column names the connectors use for the same fact. */
const ALIASES: Record<string, IdentityField> = {
  lastName: "lastName",
  last_name: "lastName",
  nom: "lastName",
  firstName: "firstName",
  first_name: "firstName",
  prenom: "firstName",
  address: "address",
  adresse: "address",
  postcode: "postcode",
  postal_code: "postcode",
  zip: "postcode",
  city: "city",
  ville: "city",
  email: "email",
  phone: "phone",
  telephone: "phone",
};

/** Case, accents, punctuation and spacing do not make two values different facts. */
export function normalise(value: string): string {
  return value
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}@+]+/gu, " ")
    .trim();
}

/**
 * One written form per fact before comparing: a phone as E.164 (national
 * numbers read as French, CentreCall's default), an email in lower case.
 * `+33637304716` and `06 37 30 47 16` are the same number, not a
 * discrepancy, nor even a spelling difference. Anything that does not parse
 * is compared as written.
 */
function canonical(field: IdentityField, value: string): string {
  if (field === "email") return value.trim().toLowerCase();
  if (field === "phone") {
    const parsed = parsePhoneNumberFromString(value, "FR");
    return parsed?.isValid() ? parsed.number : value;
  }
  return value;
}

export type Discrepancy = {
  field: IdentityField | "answer";
  /** for "answer": the question both records answer */
  question?: string;
  /** "spelling": same once case and accents are ignored; "value": really different */
  kind: "spelling" | "value";
  values: { connectorId: string; dataset: string; value: string }[];
};

function asText(v: FieldValue): string | null {
  if (v === null || v === undefined) return null;
  const s = String(v).trim();
  return s === "" ? null : s;
}

/**
 * The seed's ticket 2: an answer taken down during a phone interview that
 * disagrees with what the database holds for the same question — two answer
 * records (a re-keyed interview, a second channel) to one question that say
 * different things.
 */
function answerDiscrepancies(records: { connectorId: string; dataset: string; key: string; fields: Record<string, FieldValue> }[]): Discrepancy[] {
  const byQuestion = new Map<string, { question: string; values: { connectorId: string; dataset: string; value: string; key: string }[] }>();
  for (const r of records) {
    const question = asText(r.fields.question ?? null);
    const answer = asText(r.fields.answer ?? null);
    if (!question || !answer) continue;
    const q = normalise(question);
    const entry = byQuestion.get(q) ?? { question, values: [] };
    entry.values.push({ connectorId: r.connectorId, dataset: r.dataset, value: answer, key: `${r.connectorId}:${r.key}` });
    byQuestion.set(q, entry);
  }
  const out: Discrepancy[] = [];
  for (const { question, values } of byQuestion.values()) {
    if (new Set(values.map((v) => v.key)).size < 2) continue;
    if (new Set(values.map((v) => normalise(v.value))).size < 2) continue;
    out.push({ field: "answer", question, kind: "value", values: values.map(({ key: _k, ...v }) => v) });
  }
  return out;
}

export async function discrepanciesFor(db: DbOrTx, requestId: number): Promise<Discrepancy[]> {
  const { records } = await readGathered(db, requestId);
  const seen = new Map<IdentityField, { connectorId: string; dataset: string; value: string }[]>();
  for (const r of records) {
    const identityFields = Object.keys(r.fields).filter((k) => ALIASES[k]);
    if (identityFields.length < 2) continue; // answers, interactions: not a description of the person
    for (const k of identityFields) {
      const value = asText(r.fields[k]!);
      if (!value) continue;
      const field = ALIASES[k]!;
      const list = seen.get(field) ?? [];
      if (!list.some((x) => x.connectorId === r.connectorId && x.value === value)) list.push({ connectorId: r.connectorId, dataset: r.dataset, value });
      seen.set(field, list);
    }
  }
  const out: Discrepancy[] = [];
  out.push(...answerDiscrepancies(records));
  for (const field of IDENTITY_FIELDS) {
    const values = seen.get(field) ?? [];
    if (new Set(values.map((v) => v.connectorId)).size < 2) continue; // one source cannot disagree with itself
    const written = new Set(values.map((v) => canonical(field, v.value)));
    if (written.size < 2) continue;
    const normalised = new Set([...written].map(normalise));
    out.push({ field, kind: normalised.size === 1 ? "spelling" : "value", values });
  }
  return out;
}
