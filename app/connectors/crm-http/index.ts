import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import { z } from "zod";
import {
  type Connector,
  type ErasureResult,
  type ExportSink,
  type FieldValue,
  type IdentifierKind,
  type Match,
} from "../types";
import { PresentationOverridesSchema, unknownDatasets, withOverrides } from "../presentation";
import type { DatasetPresentation } from "../types";
import { typedEmail, typedPhone, typedPostcode } from "../typed-values";
import { CircuitBreaker } from "./breaker";
import { createCrmClient, CrmRejected } from "./client";
import {
  CONTACT_FIELDS,
  ContactDetailSchema,
  ContactListSchema,
  ContactSchema,
  HealthSchema,
  type ContactField,
  type ContactPatch,
} from "./contract";

export { CircuitBreaker } from "./breaker";
export { CrmRejected } from "./client";
export * from "./contract";

/**
 * The client CRM behind its REST API (contract in ./contract.ts). Found by
 * email and by phone; exported as two datasets, `contacts` and
 * `interactions`; erased with DELETE (404 means already gone); rectified with
 * PATCH after checking the CRM still holds the value the DPO approved
 * changing. Restriction is not part of the CRM's API, so not offered.
 */
export const kind = "crm-http";
export const CONTACTS = "contacts";
export const INTERACTIONS = "interactions";

const nonEmpty = (what: string) =>
  z
    .string({ error: (iss) => (iss.input === undefined ? `required: ${what}` : `expected a string: ${what}`) })
    .min(1, `must not be empty: ${what}`);

const wholeNumber = (what: string, min: number, max: number, unit = "") =>
  z
    .number({ error: `expected a number: ${what}` })
    .int(`must be a whole number: ${what}`)
    .min(min, `must be at least ${min}${unit}: ${what}`)
    .max(max, `must be at most ${max}${unit}: ${what}`);

const strictObject = <S extends z.ZodRawShape>(shape: S, what: string) =>
  z.strictObject(shape, {
    error: (iss) =>
      iss.code === "unrecognized_keys"
        ? `unknown field${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => `"${k}"`).join(", ")} for ${what}`
        : `expected an object: ${what}`,
  });

export const ConfigSchema = strictObject(
  {
    id: z
      .string({ error: "required: the connector's id" })
      .regex(/^[a-z][a-z0-9-]{0,39}$/, "must be lower-case letters, digits and dashes, starting with a letter (at most 40)"),
    kind: z.literal(kind, { error: `expected "${kind}"` }),
    label: nonEmpty("the name staff see for this source"),
    baseUrl: nonEmpty("the CRM API's base URL")
      .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), "must be an http:// or https:// URL, e.g. https://crm.example.fr/api")
      .refine((v) => !URL.canParse(v) || (!new URL(v).username && !new URL(v).password), "must not contain a user or password: put the token in an environment variable named by tokenEnv")
      .refine((v) => !URL.canParse(v) || (!new URL(v).search && !new URL(v).hash), "must not contain a query string or fragment"),
    tokenEnv: z
      .string({ error: "expected a string: the NAME of the environment variable holding the API token" })
      .regex(/^[A-Z][A-Z0-9_]{1,63}$/, "must be the NAME of an environment variable (upper case, e.g. CRM_TOKEN), never the token itself")
      .optional(),
    timeoutMs: wholeNumber("time allowed for one HTTP attempt", 50, 120_000, " ms").default(3000),
    retries: wholeNumber("retries after a network error, timeout or 5xx", 0, 10).default(2),
    backoffMs: wholeNumber("first retry delay, doubled each retry", 0, 60_000, " ms").default(200),
    /** the readable copy's labels, over PRESENTATION's: { "contacts": { "fields": { "loyaltyTier": { "label": … } } } } */
    presentation: PresentationOverridesSchema.optional(),
    breaker: strictObject(
      {
        failureThreshold: wholeNumber("consecutive failures that open the circuit", 1, 1000).default(5),
        cooldownMs: wholeNumber("time the circuit stays open before one probe", 10, 3_600_000, " ms").default(30_000),
      },
      "the circuit breaker",
    ).prefault({}),
  },
  "a crm-http connector",
);
export type Config = z.infer<typeof ConfigSchema>;

/**
 * What the readable copy calls the contract's fields. A field the CRM sends
 * beyond the contract (kept in the copy, see `extras`) has no label here:
 * give it one in the connector's `presentation`.
 */
export const PRESENTATION: Record<string, DatasetPresentation> = {
  contacts: {
    title: { fr: "Votre fiche dans le fichier clients", en: "Your record in the customer file" },
    unit: { fr: ["fiche", "fiches"], en: ["record", "records"] },
    fields: {
      id: { label: { fr: "Numéro de la fiche", en: "Record number" }, format: "reference" },
      email: { label: { fr: "Adresse électronique", en: "Email address" } },
      phone: { label: { fr: "Téléphone", en: "Phone" }, format: "phone" },
      lastName: { label: { fr: "Nom", en: "Last name" } },
      firstName: { label: { fr: "Prénom", en: "First name" } },
      address: { label: { fr: "Adresse", en: "Address" } },
      postcode: { label: { fr: "Code postal", en: "Postcode" } },
      city: { label: { fr: "Ville", en: "Town" } },
      createdAt: { label: { fr: "Fiche créée le", en: "Record created on" }, format: "instant" },
    },
  },
  interactions: {
    title: { fr: "Vos échanges avec le service client", en: "Your contacts with customer service" },
    unit: { fr: ["échange", "échanges"], en: ["contact", "contacts"] },
    fields: {
      id: { label: { fr: "Numéro de l'échange", en: "Contact number" }, format: "reference" },
      contactId: { label: { fr: "Numéro de la fiche", en: "Record number" }, format: "reference" },
      at: { label: { fr: "Date", en: "Date" }, format: "instant" },
      channel: {
        label: { fr: "Par", en: "By" },
        values: {
          phone: { fr: "Téléphone", en: "Phone" },
          email: { fr: "Courriel", en: "Email" },
          web: { fr: "Site internet", en: "Website" },
          sms: { fr: "SMS", en: "Text message" },
          mail: { fr: "Courrier", en: "Post" },
        },
      },
      summary: { label: { fr: "Note du conseiller", en: "Agent's note" } },
      agentId: { label: { fr: "Identifiant du conseiller", en: "Agent's identifier" } },
    },
  },
};

/** Only tests pass these: a fake fetch, a fixed jitter, a clock for the breaker. */
export type CrmDeps = { fetch?: typeof fetch; random?: () => number; now?: () => number };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const isIsoDate = (v: string) => ISO_DATE.test(v) && !Number.isNaN(Date.parse(v));

function samePhone(held: string | null, searched: string) {
  if (!held) return false;
  return parsePhoneNumberFromString(held, "FR")?.number === searched;
}

/** Unknown scalar fields the CRM sent: kept in the export, never in the portability subset. */
function extras(obj: Record<string, unknown>, known: readonly string[]): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (known.includes(k)) continue;
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
    else out[k] = JSON.stringify(v);
  }
  return out;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : "unknown error");

export function create(config: Config, secret: (envName: string) => string | undefined, deps: CrmDeps = {}): Connector {
  const unknown = unknownDatasets(PRESENTATION, config.presentation);
  if (unknown.length) throw new Error(`presentation: no dataset ${unknown.map((d) => `"${d}"`).join(", ")} (expected ${Object.keys(PRESENTATION).map((d) => `"${d}"`).join(" or ")})`);
  const token = config.tokenEnv ? secret(config.tokenEnv) : undefined;
  if (config.tokenEnv && !token) throw new Error(`tokenEnv: the environment variable ${config.tokenEnv} is not set`);
  const breaker = new CircuitBreaker({ ...config.breaker, now: deps.now });
  const client = createCrmClient({
    baseUrl: config.baseUrl,
    token,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    backoffMs: config.backoffMs,
    breaker,
    fetch: deps.fetch,
    random: deps.random,
  });
  const contactPath = (key: string) => `/contacts/${encodeURIComponent(key)}`;
  const own = (ms: Match[]) => ms.filter((m) => m.connectorId === config.id && m.dataset === CONTACTS);

  const connector: Connector & { breaker: CircuitBreaker } = {
    id: config.id,
    kind,
    label: config.label,
    presentation: withOverrides(PRESENTATION, config.presentation),
    searchableBy: ["email", "phone"],
    /** exposed for the back office's connector page and for tests */
    breaker,

    async health() {
      const started = performance.now();
      try {
        const { status, data } = await client.call({ what: "CRM health check", method: "GET", path: "/health", schema: HealthSchema, retries: 0 });
        const latencyMs = Math.round(performance.now() - started);
        if (status === 404) return { ok: false, latencyMs, detail: "CRM health check failed: HTTP 404 (no /health: is baseUrl right?)" };
        if (data?.ok === false) return { ok: false, latencyMs, detail: "the CRM reports itself unhealthy" };
        return { ok: true, latencyMs };
      } catch (error) {
        return { ok: false, latencyMs: Math.round(performance.now() - started), detail: describe(error) };
      }
    },

    /**
     * One search per verified identifier, one after the other (a half-open
     * breaker lets a single probe through). What comes back is checked
     * against what was searched: a CRM that matched loosely must not hand us
     * someone else's record.
     */
    async find(identity, signal) {
      const searches: { on: IdentifierKind; param: "email" | "phone"; value: string; holds: (c: z.infer<typeof ContactSchema>) => boolean }[] = [];
      if (identity.email) {
        const email = identity.email.trim().toLowerCase();
        searches.push({ on: "email", param: "email", value: email, holds: (c) => c.email?.trim().toLowerCase() === email });
      }
      if (identity.phone) {
        const phone = identity.phone;
        searches.push({ on: "phone", param: "phone", value: phone, holds: (c) => samePhone(c.phone, phone) });
      }
      const matches = new Map<string, Match>();
      for (const s of searches) {
        const { data } = await client.call({
          what: `CRM search by ${s.on}`,
          method: "GET",
          path: "/contacts",
          query: { [s.param]: s.value },
          schema: ContactListSchema,
          signal,
        });
        for (const c of data?.contacts ?? []) {
          if (!s.holds(c) || matches.has(c.id)) continue;
          matches.set(c.id, { connectorId: config.id, dataset: CONTACTS, key: c.id, matchedOn: s.on });
        }
      }
      return [...matches.values()];
    },

    async export(matches, sink: ExportSink, signal) {
      const total = { records: 0, files: 0, anomalies: 0 };
      const anomaly = async (dataset: string, key: string, field: string, raw: string) => {
        await sink.anomaly({ dataset, key, field, raw, expected: "ISO 8601 date" });
        total.anomalies++;
      };
      for (const key of new Set(own(matches).map((m) => m.key))) {
        const { data: c } = await client.call({ what: "CRM contact read", method: "GET", path: contactPath(key), schema: ContactDetailSchema, signal });
        if (!c) continue; // erased since it was found: nothing held, nothing to hand over
        if (c.createdAt && !isIsoDate(c.createdAt)) await anomaly(CONTACTS, c.id, "createdAt", c.createdAt);
        const { interactions, ...contact } = c;
        await sink.record({
          dataset: CONTACTS,
          key: c.id,
          fields: {
            id: c.id,
            ...Object.fromEntries(CONTACT_FIELDS.map((f) => [f, c[f]])),
            createdAt: c.createdAt && isIsoDate(c.createdAt) ? c.createdAt : null,
            ...extras(contact, ["id", ...CONTACT_FIELDS, "createdAt"]),
          },
          providedBySubject: [...CONTACT_FIELDS],
          portability: Object.fromEntries(CONTACT_FIELDS.map((f) => [f, "provided" as const])),
        });
        total.records++;
        for (const i of interactions) {
          const ikey = `${c.id}/${i.id}`;
          if (i.at && !isIsoDate(i.at)) await anomaly(INTERACTIONS, ikey, "at", i.at);
          await sink.record({
            dataset: INTERACTIONS,
            key: ikey,
            fields: {
              id: i.id,
              contactId: c.id,
              at: i.at && isIsoDate(i.at) ? i.at : null,
              channel: i.channel,
              // Written by the agent about the call: created by our staff, not portable.
              summary: i.summary,
              agentId: i.agentId,
              ...extras(i, ["id", "at", "channel", "summary", "agentId"]),
            },
            providedBySubject: [],
            // The history of her contacts is what the CRM observed of them (WP242): when, and through which
            // channel. What the agent wrote about it, and who the agent was, are not hers to port (Art. 20(4)).
            portability: { at: "observed", channel: "observed" },
          });
          total.records++;
        }
      }
      return total;
    },

    /** A contact is deleted with its interactions (the CRM's DELETE removes both). */
    proposeErasure(matches) {
      return { steps: own(matches).map((match) => ({ match, action: { kind: "delete" as const } })) };
    },

    async erase(matches, plan) {
      const result: ErasureResult = { done: [], retained: [], failed: [] };
      for (const match of own(matches)) {
        const step = plan.steps.find((s) => s.match.connectorId === match.connectorId && s.match.dataset === match.dataset && s.match.key === match.key);
        if (!step) {
          result.failed.push({ match, error: "no erasure step planned for this contact" });
          continue;
        }
        try {
          if (step.action.kind === "retain") result.retained.push(match);
          else if (step.action.kind === "delete") {
            // 404: already gone (a previous run, or someone else) — done, which makes erasure idempotent.
            await client.call({ what: "CRM contact deletion", method: "DELETE", path: contactPath(match.key) });
            result.done.push(match);
          } else {
            // The CRM keeps the row (and its interactions) with every identifying field emptied; the city stays for statistics.
            const body: ContactPatch = { email: null, phone: null, lastName: null, firstName: null, address: null, postcode: null };
            await client.call({ what: "CRM contact anonymisation", method: "PATCH", path: contactPath(match.key), body, schema: ContactSchema });
            result.done.push(match);
          }
        } catch (error) {
          result.failed.push({ match, error: describe(error) });
        }
      }
      return result;
    },

    /** The CRM holds phones in E.164, emails in lower case, French postcodes: checked and written so when typed. */
    checkValue(dataset, field, typed) {
      const text = typed.trim();
      if (dataset !== CONTACTS) return { ok: true, value: text };
      if (field === "phone") {
        const e164 = typedPhone(text);
        return e164 ? { ok: true, value: e164 } : { ok: false, problem: "phone" };
      }
      if (field === "email") {
        const email = typedEmail(text);
        return email ? { ok: true, value: email } : { ok: false, problem: "email" };
      }
      if (field === "postcode") {
        const postcode = typedPostcode(text);
        return postcode ? { ok: true, value: postcode } : { ok: false, problem: "postcode" };
      }
      return { ok: true, value: text };
    },

    /**
     * Applies approved changes, contact by contact. A field already holding
     * the new value is skipped (a re-run after a crash); one holding neither
     * the approved "from" nor the "to" stops that contact: someone changed it
     * since the DPO approved the diff.
     */
    async rectify(_matches, changes) {
      const mine = changes.filter((c) => c.match.connectorId === config.id && c.match.dataset === CONTACTS);
      for (const c of mine) {
        if (!(CONTACT_FIELDS as readonly string[]).includes(c.field)) throw new CrmRejected(`CRM field "${c.field}" cannot be rectified`, 400);
        if (c.to !== null && typeof c.to !== "string") throw new CrmRejected(`CRM field "${c.field}" takes text`, 400);
      }
      const byKey = new Map<string, typeof mine>();
      for (const c of mine) byKey.set(c.match.key, [...(byKey.get(c.match.key) ?? []), c]);
      for (const [key, list] of byKey) {
        const { data: current } = await client.call({ what: "CRM contact read", method: "GET", path: contactPath(key), schema: ContactSchema });
        if (!current) throw new CrmRejected("CRM contact to rectify no longer exists", 404);
        const patch: ContactPatch = {};
        for (const c of list) {
          const field = c.field as ContactField;
          const held = current[field];
          if (held === c.to) continue;
          if (held !== c.from) throw new CrmRejected(`CRM contact changed since the rectification was approved (field ${field})`, 409);
          patch[field] = c.to as string | null;
        }
        if (Object.keys(patch).length === 0) continue;
        const { data } = await client.call({ what: "CRM contact rectification", method: "PATCH", path: contactPath(key), body: patch, schema: ContactSchema });
        if (!data) throw new CrmRejected("CRM contact to rectify no longer exists", 404);
      }
    },
  };
  return connector;
}
