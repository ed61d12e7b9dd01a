import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogues } from "../app/i18n";
import type { Locale } from "../db/schema/enums";
import { seedRegister } from "../scripts/seed-register";
import { startApp, textOf, validRequest, type Browser, type TestApp } from "./helpers/app";
import { signedIn } from "./helpers/staff";
import { verifiedTicket } from "./helpers/tickets";
import { INTAKE_FIELDS } from "../app/services/intake-input";
import { rawGet } from "../app/utils/db.server";
import { mapInOrder } from "../app/utils/in-order";

/**
 * Property-based fuzzing of every public form and route, and of a few
 * back-office forms, against the production build. Whatever arrives — odd
 * Unicode, NUL bytes, 100k-character fields, missing fields, repeated fields,
 * JSON or broken multipart where a form is expected — the answer is never a
 * 500, an HTML answer speaks the visitor's language, and a refused filing
 * leaves no row behind.
 *
 * Runs are bounded and seeded: a failure prints the seed and the shrunk
 * counterexample; re-run with FUZZ_SEED=<seed> (and FUZZ_RUNS=<n>) to replay.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_611);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const opts = (numRuns = RUNS) => ({ seed: SEED, numRuns, endOnFailure: true });

/** Long strings cut short in a counterexample, so a failure stays readable. */
const brief = (v: unknown) =>
  JSON.stringify(v, (_k, x) => (typeof x === "string" && x.length > 80 ? `${x.slice(0, 40)}…(${x.length} chars)` : typeof x === "function" ? String(x) : x));

/** fc.assert with a short report: the seed, the path to replay, the shrunk case and the first failure. */
async function check<T>(property: fc.IAsyncPropertyWithHooks<T>, numRuns = RUNS) {
  const out = await fc.check(property, opts(numRuns));
  if (!out.failed) return;
  const e = out.errorInstance;
  const cause = e instanceof Error ? `${e.message}${e.cause ? ` (${String((e.cause as Error).message ?? e.cause)})` : ""}` : String(e);
  throw new Error(`Property failed (seed ${out.seed}, path "${out.counterexamplePath}", ${out.numRuns} runs)\nCounterexample: ${brief(out.counterexample)}\nCause: ${cause.slice(0, 2000)}`);
}

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ env: { RATE_LIMIT_FILING_PER_HOUR: "100000", RATE_LIMIT_VERIFY_PER_HOUR: "100000" } });
});
afterAll(async () => {
  await app?.stop();
});

// --- generators -------------------------------------------------------------

const HUGE = ["x".repeat(100_000), "é".repeat(70_000), "😀".repeat(30_000), "a\u0301".repeat(50_000)];
const SPECIAL = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\u202Eevil\u202C",
  "\u200F\u200E\u061C",
  "مرحبا",
  "👩‍👩‍👧‍👦",
  "e\u0301\u0301\u0301\u0301",
  "Z̷̧̛͕a̵͠l̶̹g̴o",
  "\uD800",
  "\uDFFF\uD800",
  "\uFFFE\uFFFF",
  "%",
  "%00",
  "%E0%A4%A",
  "%%32%32",
  "../../etc/passwd",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "\r\n\r\n",
  "null",
  "undefined",
  "[object Object]",
  "__proto__",
  "constructor",
  "NaN",
  "-1",
  "1e308",
  "9007199254740993",
  "on",
  "true",
  "other",
  "sms",
  "rectification",
];
/** Any string an attacker or a broken client could send. */
const nasty = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE) },
);
const shortNasty = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...SPECIAL.filter((s) => s.length < 30)));

type Pairs = [string, string][];
/** Form fields: known names with odd values (repeated names stand for arrays), plus unknown names. */
const fieldsFor = (known: readonly string[]) =>
  fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: shortNasty }), nasty), { maxLength: 8 });

/** A valid filing with some fields removed, replaced or repeated. */
const mutatedFiling = fc
  .record({
    drop: fc.subarray(Object.keys(validRequest())),
    replace: fc.dictionary(fc.constantFrom(...Object.keys(validRequest()), "verificationMethod", "subjectLastName", "subjectFirstName", "rectificationWrong", "rectificationCorrect"), nasty, { maxKeys: 3 }),
    extra: fc.array(fc.tuple(fc.constantFrom("rights", "email", "onBehalf", "lastName"), nasty), { maxLength: 2 }),
    n: fc.nat(),
  })
  .map(({ drop, replace, extra, n }) => {
    const base = validRequest({ email: `fuzz.${n}.${Math.random().toString(36).slice(2)}@example.fr` });
    const pairs: Pairs = [];
    for (const [k, v] of Object.entries(base)) {
      if (drop.includes(k)) continue;
      if (k in replace) continue;
      for (const item of Array.isArray(v) ? v : [v]) pairs.push([k, item]);
    }
    for (const [k, v] of Object.entries(replace)) pairs.push([k, v]);
    pairs.push(...extra);
    return pairs;
  });

const ENCODINGS = ["urlencoded", "multipart", "json", "text", "none", "broken-multipart", "multipart-no-boundary", "xml"] as const;
type Encoding = (typeof ENCODINGS)[number];
const encoding = fc.constantFrom(...ENCODINGS);
const locale = fc.constantFrom<Locale>("fr", "en");

function encode(enc: Encoding, pairs: Pairs): { body?: BodyInit; headers: Record<string, string> } {
  switch (enc) {
    case "urlencoded":
      return { body: new URLSearchParams(pairs), headers: {} };
    case "multipart": {
      const form = new FormData();
      for (const [k, v] of pairs) form.append(k, v);
      // A file where a text field is expected, and a mandate that is not one.
      if (pairs.length % 3 === 1) form.append(pairs[0]?.[0] ?? "mandate", new Blob(["GIF89a not a pdf"], { type: "application/pdf" }), "x.pdf");
      return { body: form, headers: {} };
    }
    case "json": {
      const obj: Record<string, unknown> = {};
      pairs.forEach(([k, v], i) => (obj[k] = [v, 42, null, { v }, [v], true][i % 6]));
      return { body: JSON.stringify(obj), headers: { "content-type": "application/json" } };
    }
    case "text":
      return { body: pairs.map(([k, v]) => `${k}=${v}`).join("\n"), headers: { "content-type": "text/plain;charset=UTF-8" } };
    case "none":
      return { body: undefined, headers: {} };
    case "broken-multipart": {
      const body = `--XYZ\r\nContent-Disposition: form-data; name="${pairs[0]?.[0] ?? "x"}"\r\n\r\n${pairs[0]?.[1] ?? ""}\r\n--XY`;
      return { body, headers: { "content-type": "multipart/form-data; boundary=XYZ" } };
    }
    case "multipart-no-boundary":
      return { body: new URLSearchParams(pairs).toString(), headers: { "content-type": "multipart/form-data" } };
    case "xml":
      return { body: `<?xml version="1.0"?><form>${pairs.length}</form>`, headers: { "content-type": "application/xml" } };
  }
}

// --- assertions -------------------------------------------------------------

/** Every string of a catalogue (functions left out), to tell which language a page speaks. */
function strings(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === "string") out.add(value);
  else if (value && typeof value === "object") for (const v of Object.values(value)) strings(v, out);
  return out;
}
const own: Record<Locale, string[]> = { fr: [], en: [] };
{
  const fr = strings(catalogues.fr);
  const en = strings(catalogues.en);
  // Long enough to be sentences, not "OK" or a name that both languages share.
  own.fr = [...fr].filter((s) => !en.has(s) && s.length >= 16);
  own.en = [...en].filter((s) => !fr.has(s) && s.length >= 16);
}
const other = (l: Locale): Locale => (l === "fr" ? "en" : "fr");

/** An HTML answer is in the visitor's language: the lang attribute, and no sentence of the other catalogue. */
function expectLanguage(html: string, l: Locale, what: string) {
  expect(html, what).toContain(`<html lang="${l}"`);
  const text = textOf(html);
  const foreign = own[other(l)].filter((s) => text.includes(s));
  expect(foreign, `${what}: sentences of the ${other(l)} catalogue on a ${l} page`).toEqual([]);
  expect(
    own[l].some((s) => text.includes(s)),
    `${what}: no sentence of the ${l} catalogue`,
  ).toBe(true);
}

async function expectSane(res: Response, l: Locale, what: string): Promise<string> {
  const body = await res.text();
  expect(res.status, `${what} → ${res.status}`).toBeLessThan(500);
  const type = res.headers.get("content-type") ?? "";
  // Pages a person reads; a redirect's body is not one.
  if (type.startsWith("text/html") && body.startsWith("<!DOCTYPE html>") && (res.status < 300 || res.status >= 400)) expectLanguage(body, l, what);
  return body;
}

const TABLES = ["requests", "request_events", "attachments", "verification_tokens", "outbox", "audit_log", "staff_sessions"] as const;
async function counts(): Promise<Record<string, number>> {
  return Object.fromEntries(await mapInOrder(TABLES, async (t) => [t, ((await rawGet(app.db(), sql.raw(`SELECT count(*) AS n FROM ${t}`))) as { n: number }).n] as const));
}

function browserIn(l: Locale): Browser {
  const b = app.browser();
  // Half the time the French default comes from having no cookie at all.
  if (l === "en" || Math.random() < 0.5) b.cookies.set("lang", l);
  return b;
}

function post(b: Browser, path: string, enc: Encoding, pairs: Pairs) {
  const { body, headers } = encode(enc, pairs);
  return b.request(path, { method: "POST", body, headers });
}

const show = (pairs: Pairs) => JSON.stringify(pairs.map(([k, v]) => [k.slice(0, 30), v.length > 60 ? `${v.slice(0, 20)}…(${v.length})` : v]));

// --- public forms -------------------------------------------------------------

// The form's own field names: the fuzzer posts them, and names it does not know.
const INTAKE_NAMES = INTAKE_FIELDS;

describe("the request form (/demande)", () => {
  it("never fails, answers in the visitor's language, and files all or nothing", async () => {
    await check(
      fc.asyncProperty(fc.oneof(mutatedFiling, fieldsFor(INTAKE_NAMES)), encoding, locale, async (pairs, enc, l) => {
        const before = await counts();
        const res = await post(browserIn(l), "/demande", enc, pairs);
        const what = `POST /demande ${enc} ${l} ${show(pairs)}`;
        const body = await expectSane(res, l, what);
        const after = await counts();
        if (res.status === 302) {
          expect(res.headers.get("location"), what).toBe("/demande/envoyee");
          expect(after.requests! - before.requests!, what).toBe(1);
          expect(after.verification_tokens! - before.verification_tokens!, what).toBe(1);
        } else {
          expect(after, `${what}: a refused filing wrote rows`).toEqual(before);
          if (res.status === 400) {
            // The error summary, with the catalogue's words.
            const t = catalogues[l];
            const text = textOf(body);
            expect(text, what).toContain(t.form.errorSummary(1).replace(/ :$|:$/, "").slice(0, 12));
            expect(Object.values(t.errors).some((m) => typeof m === "string" && text.includes(m)), what).toBe(true);
          }
        }
      }),
      100,
    );
  });

  it("says what is wrong in French by default and in English with the en cookie", async () => {
    for (const l of ["fr", "en"] as const) {
      const b = app.browser();
      if (l === "en") b.cookies.set("lang", "en");
      const before = await counts();
      const res = await b.post("/demande", validRequest({ email: "not-an-email", lastName: "x".repeat(100_000) }));
      expect(res.status).toBe(400);
      const text = textOf(await res.text());
      expect(text).toContain(catalogues[l].errors.email_invalid);
      expect(text).toContain(catalogues[l].errors.too_long);
      expect(text).not.toContain(catalogues[other(l)].errors.email_invalid);
      expect(await counts()).toEqual(before);
    }
  });
});

/** Public POST routes other than the filing: nothing they are sent may write a request, token or message. */
const PUBLIC_FORMS: { path: (seg: string) => string; names: string[]; journals?: true }[] = [
  { path: () => "/demande/envoyee", names: ["intent", "code", "reference"] },
  { path: (s) => `/verification/${s}`, names: ["intent", "token"] },
  { path: () => "/suivi", names: ["reference", "contact"] },
  { path: () => "/suivi/demande", names: ["archiveId"] },
  { path: (s) => `/reponse/${s}`, names: ["message"] },
  { path: (s) => `/archive/${s}/fichier`, names: ["a"] },
  // A failed sign-in is journaled (staff.login_failed): one audit entry, nothing else.
  { path: () => "/admin/connexion", names: ["email", "password"], journals: true },
  { path: () => "/admin/connexion/code", names: ["code"], journals: true },
  // Routes without an action, and ones that do not exist.
  { path: () => "/", names: ["x"] },
  { path: (s) => `/langue?to=${s}`, names: ["to"] },
  { path: () => "/healthz", names: ["x"] },
  { path: () => "/readyz", names: ["x"] },
  { path: (s) => `/suivi/lien/${s}`, names: ["x"] },
  { path: () => "/suivi/certificat", names: ["x"] },
  { path: () => "/reponse/merci", names: ["x"] },
  { path: (s) => `/nexiste/${s}`, names: ["x"] },
];

/** A path segment: encoded odd text, or raw bytes a browser would not send (broken percent-escapes). */
const segment = fc.oneof(
  nasty.filter((s) => s.length < 5000).map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, "?"))),
  fc.constantFrom("%", "%E0%A4%A", "%00", "..%2F..%2F", "%C0%AF", "a%2Fb", ";x=1", "x".repeat(8000), "DSR-2026-000001"),
);

describe("every other public form", () => {
  it("never fails, answers in the visitor's language, and writes nothing", async () => {
    await check(
      fc.asyncProperty(
        fc.constantFrom(...PUBLIC_FORMS).chain((f) => fc.tuple(fc.constant(f), fieldsFor(f.names))),
        segment,
        encoding,
        locale,
        async ([form, pairs], seg, enc, l) => {
          const before = await counts();
          const path = form.path(seg);
          const res = await post(browserIn(l), path, enc, pairs);
          const what = `POST ${path.slice(0, 80)} ${enc} ${l} ${show(pairs)}`;
          await expectSane(res, l, what);
          const after = await counts();
          if (form.journals) {
            expect(after.audit_log! - before.audit_log!, what).toBeLessThanOrEqual(1);
            after.audit_log = before.audit_log!;
          }
          expect(after, `${what}: wrote rows`).toEqual(before);
        },
      ),
      150,
    );
  });
});

describe("public pages with odd paths, query strings and cookies", () => {
  const PAGES = [
    (s: string) => `/?${s}=${s}`,
    (s: string) => `/demande?${s}`,
    (s: string) => `/demande/envoyee?reference=${s}`,
    (s: string) => `/verification/${s}`,
    (s: string) => `/suivi?${s}`,
    (s: string) => `/suivi/lien/${s}`,
    (s: string) => `/suivi/demande?lien=${s}&confirmee=${s}`,
    (s: string) => `/suivi/certificat?${s}`,
    (s: string) => `/reponse/${s}`,
    (s: string) => `/reponse/merci?${s}`,
    (s: string) => `/archive/${s}?a=${s}`,
    (s: string) => `/archive/${s}/fichier`,
    (s: string) => `/langue?to=${s}&back=${s}`,
    (s: string) => `/langue?to=en&back=/${s}`,
    (s: string) => `/healthz?${s}`,
    (s: string) => `/${s}`,
    (s: string) => `/${s || "x"}/${s}`,
    (s: string) => `/admin/connexion?${s}`,
    (s: string) => `/admin/connexion/code?${s}`,
    (s: string) => `/demande.data?${s}`,
    (s: string) => `/?_data=${s}`,
  ];
  const cookieValue = fc.oneof(shortNasty.map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, "?"))), fc.constantFrom("%", "%E0", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "x".repeat(4000)));

  it("never fail and speak the visitor's language", async () => {
    await check(
      fc.asyncProperty(
        fc.constantFrom(...PAGES),
        segment,
        locale,
        fc.record({ rd_pending: cookieValue, rd_follow: cookieValue, rd_staff: cookieValue }, { requiredKeys: [] }),
        async (page, seg, l, cookies) => {
          const before = await counts();
          const b = browserIn(l);
          for (const [k, v] of Object.entries(cookies)) b.cookies.set(k, v);
          const path = page(seg);
          const res = await b.get(path);
          await expectSane(res, l, `GET ${path.slice(0, 100)} ${l} ${JSON.stringify(cookies).slice(0, 200)}`);
          expect(await counts()).toEqual(before);
        },
      ),
      150,
    );
  });

  it("a garbage lang cookie falls back to French", async () => {
    await check(
      fc.asyncProperty(shortNasty.filter((s) => s !== "fr" && s !== "en"), async (value) => {
        const b = app.browser();
        b.cookies.set("lang", encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, "?")));
        const res = await b.get("/demande");
        expect(res.status).toBe(200);
        expectLanguage(await res.text(), "fr", `lang=${JSON.stringify(value)}`);
      }),
      30,
    );
  });
});

describe("the suppression API (bearer JSON)", () => {
  it("answers 4xx with a message to anything that is not a well-formed call, never a 500", async () => {
    const json = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.record({ phone: fc.oneof(nasty, fc.integer(), fc.constant(null)) }).map((v) => JSON.stringify(v)),
      fc.record({ phones: fc.array(fc.oneof(nasty, fc.integer()), { maxLength: 5 }) }).map((v) => JSON.stringify(v)),
      nasty,
    );
    await check(
      fc.asyncProperty(json, fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", ""), fc.constantFrom("Bearer nope", "", "Basic eA==", "Bearer "), async (body, type, auth) => {
        const headers: Record<string, string> = {};
        if (type) headers["content-type"] = type;
        if (auth) headers.authorization = auth;
        const res = await fetch(`${app.base}/api/suppression/check`, { method: "POST", body, headers });
        expect(res.status, body.slice(0, 200)).toBeLessThan(500);
        expect(res.status).toBeGreaterThanOrEqual(400);
      }),
      40,
    );
  });
});

// --- back office ----------------------------------------------------------------

const TICKET_INTENTS = [
  "assign", "start", "ask", "extend", "refuse", "duplicate", "cancel", "ready", "complete", "caller-code", "caller-resend",
  "release-access", "release-portability", "gather", "gather-rerun", "note", "erasure-plan", "erasure-approve",
  "rectification-prepare", "rectification-approve", "notice-ack", "restriction-apply", "restriction-retry",
  "restriction-lift", "restriction-lift-stop", "restriction-lift-retry", "restriction-hand", "objection-record",
];
const TICKET_FIELDS = ["assigneeId", "question", "reasons", "text", "of", "code", "connectorId", "body", "noticeId", "to:email", "to:lastName", "scope", "channels", "note", "reason", "what"];

describe("back-office forms as a signed-in DPO", () => {
  let dpo: Browser;
  beforeAll(async () => {
    dpo = (await signedIn(app, "dpo")).browser;
    await seedRegister(app.db(), new Date()); // the register's forms with real operations and clients behind them
  });

  it("ticket actions with garbage intents and fields never fail", async () => {
    await check(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...TICKET_INTENTS), shortNasty),
        fc.array(fc.tuple(fc.constantFrom(...TICKET_FIELDS), nasty), { maxLength: 6 }),
        fc.constantFrom<Encoding>("urlencoded", "multipart", "json", "none", "broken-multipart"),
        fc.boolean(),
        async (intent, fields, enc, realTicket) => {
          const reference = realTicket ? (await verifiedTicket({ rights: ["access", "erasure", "restriction", "objection"] })).reference : "DSR-2099-999999";
          const res = await post(dpo, `/admin/demandes/${reference}`, enc, [["intent", intent], ...fields]);
          await expectSane(res, "fr", `POST ticket ${intent} ${enc} ${show(fields)}`);
        },
      ),
      80,
    );
  });

  it("the intake, account, team and register forms never fail", async () => {
    const forms: { path: string; names: string[] }[] = [
      { path: "/admin/saisie", names: ["channel", "receivedAtLocal", "site", "rights", "lastName", "firstName", "email", "phone", "details", "verification"] },
      { path: "/admin/compte", names: ["intent", "current", "next", "code"] },
      { path: "/admin/equipe", names: ["intent", "email", "role", "site", "name", "id", "displayName"] },
      { path: "/admin/registre", names: ["intent", "code", "name", "purpose", "legalBasis"] },
      { path: "/admin/registre/OP-01", names: ["name", "purpose", "legalBasis", "dataCategories", "retention", "retentionDays", "datasets", "expectedVersion"] },
      { path: "/admin/registre/OP-06", names: ["name", "role", "controllerClient", "jointControllers", "processors", "transfers", "securityMeasures", "sensitiveData", "expectedVersion"] },
      { path: "/admin/registre/clients", names: ["code", "name", "aliases", "contactEmail", "address", "dpoContact", "processingCategories", "transfers"] },
      { path: "/admin/registre/clients/NEVA", names: ["name", "aliases", "contactEmail", "address", "dpoContact", "transfers", "securityMeasures", "expectedVersion"] },
      { path: "/admin/journal", names: ["from", "to", "reference", "action", "actor"] },
      { path: "/admin/connecteurs", names: ["intent", "connectorId"] },
    ];
    await check(
      fc.asyncProperty(
        fc.constantFrom(...forms).chain((f) => fc.tuple(fc.constant(f.path), fieldsFor(f.names))),
        fc.constantFrom<Encoding>("urlencoded", "multipart", "json", "none", "broken-multipart"),
        async ([path, pairs], enc) => {
          const res = await post(dpo, path, enc, pairs);
          await expectSane(res, "fr", `POST ${path} ${enc} ${show(pairs)}`);
        },
      ),
      60,
    );
  });

  it("back-office pages with odd query strings never fail", async () => {
    const pages = [
      (s: string) => `/admin?${s}`,
      (s: string) => `/admin?statut=${s}&site=${s}&tri=${s}&page=${s}`,
      (s: string) => `/admin/demandes/${s}`,
      (s: string) => `/admin/journal?from=${s}&to=${s}&action=${s}&actor=${s}&reference=${s}`,
      (s: string) => `/admin/journal.csv?from=${s}`,
      (s: string) => `/admin/rapports?from=${s}&to=${s}`,
      (s: string) => `/admin/rapports.csv?from=${s}&to=${s}`,
      (s: string) => `/admin/registre/${s}`,
      (s: string) => `/admin/registre/clients/${s}`,
      (s: string) => `/admin/demandes/DSR-2099-999999/certificat?${s}`,
    ];
    await check(
      fc.asyncProperty(fc.constantFrom(...pages), segment, async (page, seg) => {
        const path = page(seg);
        const res = await dpo.get(path);
        await expectSane(res, "fr", `GET ${path.slice(0, 100)}`);
      }),
      60,
    );
  });
});
