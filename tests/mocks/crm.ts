import { delay, http, HttpResponse } from "msw";
import { ContactPatchSchema, type ContactDetailJson, type ContactJson } from "../../app/connectors/crm-http/contract";

/**
 * The client CRM is a third party: msw stands in for it, implementing the
 * contract in app/connectors/crm-http/contract.ts over an in-memory dataset.
 * `state.mode` switches its behaviour for the next `state.times` requests
 * (all of them by default), so tests can prove a retry, a timeout, a broken
 * body or an open circuit. `state.requests` counts what reached it.
 */
export const CRM_BASE_URL = "https://crm.test/api/v1";
export const CRM_TOKEN = "crm-test-token";

export type CrmMode = "ok" | "500" | "timeout" | "slow" | "malformed" | "401";

export const CRM_PEOPLE = {
  corinne: {
    id: "c-1",
    email: "desmarc.corinne@orange.fr",
    phone: "+33247000000",
    lastName: "Desmarc",
    firstName: "Corinne",
    address: "2 pl. de l'Eglise",
    postcode: "37000",
    city: "Tours",
    createdAt: "2019-06-03T08:15:00.000Z",
    interactions: [
      { id: "i-1", at: "2026-03-17T09:12:00.000Z", channel: "phone", summary: "Questionnaire Osiris : entretien complet.", agentId: "agt-tours-04" },
      { id: "i-2", at: "2026-03-18T15:40:00.000Z", channel: "email", summary: "Demande comment ses réponses seront utilisées.", agentId: "agt-tours-04" },
    ],
  },
  david: {
    id: "c-2",
    email: "david.blanc@example.fr",
    phone: "+33612345678",
    lastName: "Blanc",
    firstName: "David",
    address: "18 rue de la Roquette",
    postcode: "75011",
    city: "Paris",
    createdAt: "2021-11-20T14:02:00.000Z",
    interactions: [{ id: "i-3", at: "2026-02-18T10:05:00.000Z", channel: "phone", summary: "Réclamation : date de naissance erronée.", agentId: "agt-paris-03" }],
  },
  nadia: {
    id: "c-3",
    email: null,
    phone: "+33781223344",
    lastName: "Azri",
    firstName: "Nadia",
    address: "7 allée des Tilleuls",
    postcode: "59000",
    city: "Lille",
    createdAt: "2023-02-07T10:40:00.000Z",
    interactions: [],
  },
} satisfies Record<string, ContactDetailJson>;

export function crmApi(opts: { baseUrl?: string; token?: string; people?: ContactDetailJson[] } = {}) {
  const base = opts.baseUrl ?? CRM_BASE_URL;
  const token = opts.token ?? CRM_TOKEN;
  const contacts = new Map<string, ContactDetailJson>((opts.people ?? Object.values(CRM_PEOPLE)).map((c) => [c.id, structuredClone(c)]));
  const state = {
    mode: "ok" as CrmMode,
    /** requests the mode applies to before it falls back to "ok" */
    times: Number.POSITIVE_INFINITY,
    /** "timeout" waits this long (beyond any sensible timeoutMs) unless the client gives up first */
    timeoutDelayMs: 10_000,
    /** "slow" waits this long: keep it under the connector's timeoutMs */
    slowDelayMs: 60,
    requests: 0,
  };
  const log: { method: string; path: string }[] = [];

  /** Sets a mode for the next `times` requests. */
  function fail(mode: CrmMode, times = Number.POSITIVE_INFINITY) {
    state.mode = mode;
    state.times = times;
  }

  const wait = (ms: number, signal: AbortSignal) => Promise.race([delay(ms), new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }))]);

  /** Counts the request and applies the current mode; a Response ends the request there. */
  async function gate(request: Request): Promise<Response | undefined> {
    state.requests++;
    log.push({ method: request.method, path: new URL(request.url).pathname });
    const mode = state.mode;
    if (mode !== "ok" && --state.times <= 0) fail("ok");
    switch (mode) {
      case "500":
        return HttpResponse.json({ error: "internal" }, { status: 500 });
      case "401":
        return HttpResponse.json({ error: "unauthorized" }, { status: 401 });
      case "malformed":
        return new HttpResponse('{"contacts": [{"id": "c-1", "email": ', { status: 200, headers: { "content-type": "application/json" } });
      case "timeout":
        await wait(state.timeoutDelayMs, request.signal);
        break;
      case "slow":
        await wait(state.slowDelayMs, request.signal);
        break;
    }
    if (request.headers.get("authorization") !== `Bearer ${token}`) return HttpResponse.json({ error: "unauthorized" }, { status: 401 });
    return undefined;
  }

  const summary = ({ interactions: _, ...c }: ContactDetailJson): ContactJson => c;
  const notFound = () => HttpResponse.json({ error: "not_found" }, { status: 404 });

  const handlers = [
    http.get(`${base}/health`, async ({ request }) => (await gate(request)) ?? HttpResponse.json({ ok: true })),

    http.get(`${base}/contacts`, async ({ request }) => {
      const stop = await gate(request);
      if (stop) return stop;
      const q = new URL(request.url).searchParams;
      const email = q.get("email");
      const phone = q.get("phone");
      if ((email === null) === (phone === null)) return HttpResponse.json({ error: "give exactly one of email or phone" }, { status: 400 });
      const found = [...contacts.values()].filter((c) =>
        email !== null ? c.email?.toLowerCase() === email.trim().toLowerCase() : c.phone === phone!.trim(),
      );
      return HttpResponse.json({ contacts: found.map(summary) });
    }),

    http.get(`${base}/contacts/:id`, async ({ request, params }) => {
      const stop = await gate(request);
      if (stop) return stop;
      const c = contacts.get(String(params.id));
      return c ? HttpResponse.json(c) : notFound();
    }),

    http.patch(`${base}/contacts/:id`, async ({ request, params }) => {
      const stop = await gate(request);
      if (stop) return stop;
      const parsed = ContactPatchSchema.safeParse(await request.json().catch(() => undefined));
      if (!parsed.success) return HttpResponse.json({ error: "invalid patch" }, { status: 400 });
      const c = contacts.get(String(params.id));
      if (!c) return notFound();
      for (const [k, v] of Object.entries(parsed.data)) if (v !== undefined) Object.assign(c, { [k]: v });
      return HttpResponse.json(summary(c));
    }),

    http.delete(`${base}/contacts/:id`, async ({ request, params }) => {
      const stop = await gate(request);
      if (stop) return stop;
      return contacts.delete(String(params.id)) ? new HttpResponse(null, { status: 204 }) : notFound();
    }),
  ];

  return { handlers, state, fail, contacts, log, baseUrl: base, token };
}
export type CrmApi = ReturnType<typeof crmApi>;
