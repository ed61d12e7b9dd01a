import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigSchema, create, CrmRejected, type CircuitBreaker, type Config } from "../../app/connectors/crm-http";
import { ConnectorUnavailable, type Connector, type ErasurePlan, type Match } from "../../app/connectors/types";
import { DEMO_CRM_PEOPLE, startDemoCrm } from "../../scripts/demo-crm";
import { CRM_BASE_URL, CRM_PEOPLE, CRM_TOKEN, crmApi, type CrmApi } from "../mocks/crm";
import { collectingSink, configProblems, deletePlan, signal } from "../helpers/connector-calls";

// Real HTTP (the demo CRM on a local port) passes through untouched.
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterAll(() => server.close());

let api: CrmApi;
beforeEach(() => {
  api = crmApi();
  server.resetHandlers(...api.handlers);
});

type Overrides = Partial<Omit<Config, "breaker">> & { breaker?: Partial<Config["breaker"]> };
function connect(overrides: Overrides = {}, token: string | undefined = CRM_TOKEN) {
  const config = ConfigSchema.parse({
    id: "crm",
    kind: "crm-http",
    label: "CRM client",
    baseUrl: CRM_BASE_URL,
    tokenEnv: "CRM_TOKEN",
    timeoutMs: 200,
    retries: 2,
    backoffMs: 5,
    ...overrides,
    breaker: { failureThreshold: 5, cooldownMs: 150, ...overrides.breaker },
  });
  return create(config, (name) => (name === "CRM_TOKEN" ? token : undefined), { random: () => 0.5 });
}
const breakerOf = (c: Connector) => (c as Connector & { breaker: CircuitBreaker }).breaker;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const corinne = { email: CRM_PEOPLE.corinne.email, phone: CRM_PEOPLE.corinne.phone };

/** The failure a promise ends with, for assertions on its type and message. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure");
}

describe("crm-http connector over the contract (msw)", () => {
  it("finds by email and by phone, one match per contact, and sends the bearer token", async () => {
    const crm = connect();
    expect(await crm.find({ email: "Desmarc.Corinne@Orange.fr", phone: corinne.phone }, signal())).toEqual([
      { connectorId: "crm", dataset: "contacts", key: "c-1", matchedOn: "email" },
    ]);
    expect(await crm.find({ phone: CRM_PEOPLE.nadia.phone }, signal())).toEqual([{ connectorId: "crm", dataset: "contacts", key: "c-3", matchedOn: "phone" }]);
    expect(await crm.find({ email: "nobody@example.fr" }, signal())).toEqual([]);
    expect(api.state.requests).toBe(4);
  });

  it("drops contacts the CRM returns that do not hold the identifier searched", async () => {
    server.use(
      http.get(`${CRM_BASE_URL}/contacts`, () =>
        HttpResponse.json({ contacts: [CRM_PEOPLE.corinne, { ...CRM_PEOPLE.david, email: "desmarc.corinne@orange.fr.example" }] }),
      ),
    );
    const matches = await connect().find({ email: corinne.email }, signal());
    expect(matches.map((m) => m.key)).toEqual(["c-1"]);
  });

  it("exports the contact and its interactions as two datasets, flagging what the person provided", async () => {
    const crm = connect();
    const matches = await crm.find(corinne, signal());
    const { sink, records, anomalies } = collectingSink({ noFiles: "the CRM has no files" });
    expect(await crm.export(matches, sink)).toEqual({ records: 3, files: 0, anomalies: 0 });
    expect(anomalies).toEqual([]);
    const [contact, ...interactions] = records;
    expect(contact).toEqual({
      dataset: "contacts",
      key: "c-1",
      fields: {
        id: "c-1",
        email: "desmarc.corinne@orange.fr",
        phone: "+33247000000",
        lastName: "Desmarc",
        firstName: "Corinne",
        address: "2 pl. de l'Eglise",
        postcode: "37000",
        city: "Tours",
        createdAt: "2019-06-03T08:15:00.000Z",
      },
      providedBySubject: ["email", "phone", "lastName", "firstName", "address", "postcode", "city"],
      portability: { email: "provided", phone: "provided", lastName: "provided", firstName: "provided", address: "provided", postcode: "provided", city: "provided" },
    });
    // The history is observed (when, which channel); the agent's summary and identifier are not hers to port.
    expect(interactions.map((r) => [r.dataset, r.key, r.fields.channel, r.providedBySubject, r.portability])).toEqual([
      ["interactions", "c-1/i-1", "phone", [], { at: "observed", channel: "observed" }],
      ["interactions", "c-1/i-2", "email", [], { at: "observed", channel: "observed" }],
    ]);
    expect(interactions[0]!.fields.summary).toMatch(/Osiris/);
  });

  it("reports a CRM date that is not ISO 8601 instead of guessing it", async () => {
    api.contacts.get("c-2")!.createdAt = "20/11/2021";
    const { sink, records, anomalies } = collectingSink({ noFiles: "the CRM has no files" });
    await connect().export([{ connectorId: "crm", dataset: "contacts", key: "c-2", matchedOn: "email" }], sink);
    expect(anomalies).toEqual([{ dataset: "contacts", key: "c-2", field: "createdAt", raw: "20/11/2021", expected: "ISO 8601 date" }]);
    expect(records[0]!.fields.createdAt).toBeNull();
  });

  it("retries a 500 and succeeds", async () => {
    api.fail("500", 1);
    expect((await connect().find({ email: corinne.email }, signal())).length).toBe(1);
    expect(api.state.requests).toBe(2);
  });

  it("gives up after retries + 1 attempts on a persistent 500", async () => {
    api.fail("500");
    const error = await failure(connect({ retries: 2 }).find({ email: corinne.email }, signal()));
    expect(error).toBeInstanceOf(ConnectorUnavailable);
    expect(error.message).toBe("CRM search by email failed: HTTP 500 (3 attempts)");
    expect((error as ConnectorUnavailable).retryable).toBe(true);
    expect(api.state.requests).toBe(3);
  });

  it("honours the timeout, and a slow answer within it is fine", async () => {
    api.fail("timeout");
    const started = performance.now();
    const error = await failure(connect({ timeoutMs: 200, retries: 0 }).find({ email: corinne.email }, signal()));
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(ConnectorUnavailable);
    expect(error.message).toBe("CRM search by email failed: no answer within 200 ms (1 attempt)");
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1500);

    api.fail("slow");
    api.state.slowDelayMs = 60;
    expect((await connect({ timeoutMs: 200 }).find({ email: corinne.email }, signal())).length).toBe(1);
  });

  it("stops at once when the caller aborts, without counting it against the CRM", async () => {
    api.fail("timeout");
    const crm = connect({ timeoutMs: 2000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("gather cancelled")), 50);
    const error = await failure(crm.find({ email: corinne.email }, controller.signal));
    expect(error.message).toBe("gather cancelled");
    expect(api.state.requests).toBe(1);
    expect(breakerOf(crm).state).toBe("closed");
  });

  it("turns malformed JSON into a clear error, without retrying it", async () => {
    api.fail("malformed");
    const error = await failure(connect().find({ email: corinne.email }, signal()));
    expect(error).toBeInstanceOf(ConnectorUnavailable);
    expect(error.message).toBe("CRM search by email failed: the CRM answered HTTP 200 with a body that is not valid JSON");
    expect(api.state.requests).toBe(1);
  });

  it("does not retry a 401, and says so without retryable", async () => {
    api.fail("401");
    const error = await failure(connect().find({ phone: corinne.phone }, signal()));
    expect(error).toBeInstanceOf(CrmRejected);
    expect((error as CrmRejected).retryable).toBe(false);
    expect(error.message).toBe("CRM search by phone failed: HTTP 401 (the CRM refused our token)");
    expect(api.state.requests).toBe(1);

    const wrongToken = await failure(connect({}, "not-the-token").find({ phone: corinne.phone }, signal()));
    expect(wrongToken).toBeInstanceOf(CrmRejected);
    expect(api.state.requests).toBe(2);
  });

  it("opens the circuit after the threshold, calls nobody while open, and half-opens after the cooldown", async () => {
    const crm = connect({ retries: 0, breaker: { failureThreshold: 3, cooldownMs: 150 } });
    api.fail("500");
    for (let i = 0; i < 3; i++) await expect(crm.find({ email: corinne.email }, signal())).rejects.toThrow(/HTTP 500/);
    expect(api.state.requests).toBe(3);
    expect(breakerOf(crm).state).toBe("open");

    const refused = await failure(crm.find({ email: corinne.email }, signal()));
    expect(refused).toBeInstanceOf(ConnectorUnavailable);
    expect(refused.message).toMatch(/^CRM search by email not attempted: the CRM circuit is open/);
    expect(await crm.health()).toMatchObject({ ok: false, detail: expect.stringMatching(/circuit is open/) });
    expect(api.state.requests).toBe(3);

    // After the cooldown one probe goes out; it fails, so the circuit opens again.
    await sleep(170);
    expect(breakerOf(crm).state).toBe("half-open");
    await expect(crm.find({ email: corinne.email }, signal())).rejects.toThrow(/HTTP 500/);
    expect(api.state.requests).toBe(4);
    await expect(crm.find({ email: corinne.email }, signal())).rejects.toThrow(/circuit is open/);
    expect(api.state.requests).toBe(4);

    // Next cooldown: the CRM is back. Only one of two concurrent calls is the probe; its success closes the circuit.
    await sleep(170);
    api.fail("slow");
    const [probe, other] = await Promise.allSettled([crm.find({ email: corinne.email }, signal()), crm.find({ email: corinne.email }, signal())]);
    expect(probe.status).toBe("fulfilled");
    expect(other.status).toBe("rejected");
    expect(api.state.requests).toBe(5);
    expect(breakerOf(crm).state).toBe("closed");
    expect((await crm.find({ email: corinne.email }, signal())).length).toBe(1);
  });

  it("says what failed when its own retries open the circuit", async () => {
    api.fail("500");
    const crm = connect({ retries: 3, breaker: { failureThreshold: 2 } });
    const error = await failure(crm.find({ email: corinne.email }, signal()));
    expect(error.message).toBe("CRM search by email failed: HTTP 500 (2 attempts; the CRM circuit is now open)");
    expect(api.state.requests).toBe(2);
  });

  it("never puts the email or phone searched in an error message", async () => {
    const identity = { email: "desmarc.corinne@orange.fr", phone: "+33247000000" };
    const forbidden = [identity.email, encodeURIComponent(identity.email), "desmarc", identity.phone, "247000000", "%2B33"];
    const messages: string[] = [];
    for (const mode of ["500", "timeout", "malformed", "401"] as const) {
      api.fail(mode);
      const error = await failure(connect({ retries: 1, timeoutMs: 100 }).find(identity, signal()));
      messages.push(error.message);
    }
    api.fail("500");
    const crm = connect({ retries: 0 });
    const match: Match = { connectorId: "crm", dataset: "contacts", key: "c-1", matchedOn: "email" };
    const erased = await crm.erase([match], deletePlan([match]));
    messages.push(...erased.failed.map((f) => f.error));
    expect(messages).toHaveLength(5);
    for (const m of messages) for (const f of forbidden) expect(m.toLowerCase()).not.toContain(f.toLowerCase());
  });

  it("erases with DELETE, and a contact already gone (404) counts as done", async () => {
    const crm = connect();
    const matches = await crm.find(corinne, signal());
    const retainOnly: ErasurePlan = { steps: [{ match: matches[0]!, action: { kind: "retain", legalBasis: "facture (10 ans)", until: "2036-01-01" } }] };
    expect(await crm.erase(matches, retainOnly)).toEqual({ done: [], retained: matches, failed: [] });
    expect(api.contacts.has("c-1")).toBe(true);

    expect(await crm.erase(matches, deletePlan(matches))).toEqual({ done: matches, retained: [], failed: [] });
    expect(api.contacts.has("c-1")).toBe(false);
    expect(await crm.erase(matches, deletePlan(matches))).toEqual({ done: matches, retained: [], failed: [] });
    expect(api.log.filter((r) => r.method === "DELETE")).toHaveLength(2);
    expect(await crm.find(corinne, signal())).toEqual([]);
  });

  it("rectifies with PATCH only what still holds the approved value, and re-runs harmlessly", async () => {
    const crm = connect();
    const [match] = await crm.find({ email: corinne.email }, signal());
    const changes = [
      { match: match!, field: "postcode", from: "37000", to: "37100" },
      { match: match!, field: "address", from: "2 pl. de l'Eglise", to: "2, place de l'Église" },
    ];
    await crm.rectify!([match!], changes);
    expect(api.contacts.get("c-1")).toMatchObject({ postcode: "37100", address: "2, place de l'Église" });
    const patches = () => api.log.filter((r) => r.method === "PATCH").length;
    expect(patches()).toBe(1);
    await crm.rectify!([match!], changes);
    expect(patches()).toBe(1);

    api.contacts.get("c-1")!.city = "Saint-Avertin";
    await expect(crm.rectify!([match!], [{ match: match!, field: "city", from: "Tours", to: "Joué-lès-Tours" }])).rejects.toThrow(
      "CRM contact changed since the rectification was approved (field city)",
    );
    await expect(crm.rectify!([match!], [{ match: match!, field: "createdAt", from: "x", to: "y" }])).rejects.toThrow(/cannot be rectified/);
  });

  it("reports health", async () => {
    expect(await connect().health()).toMatchObject({ ok: true });
    api.fail("401");
    expect(await connect().health()).toMatchObject({ ok: false, detail: "CRM health check failed: HTTP 401 (the CRM refused our token)" });
    server.use(http.get(`${CRM_BASE_URL}/health`, () => HttpResponse.json({ error: "not_found" }, { status: 404 })));
    expect(await connect().health()).toMatchObject({ ok: false, detail: expect.stringMatching(/HTTP 404/) });
  });
});

describe("crm-http configuration", () => {
  const valid = { id: "crm", kind: "crm-http", label: "CRM client", baseUrl: "https://crm.example.fr/api" };
  const problems = (entry: unknown) => configProblems(ConfigSchema, entry);

  it("fills in the defaults", () => {
    expect(ConfigSchema.parse(valid)).toEqual({ ...valid, timeoutMs: 3000, retries: 2, backoffMs: 200, breaker: { failureThreshold: 5, cooldownMs: 30_000 } });
  });

  it("names the field at fault", () => {
    expect(problems({ ...valid, breaker: { cooldownMs: -1 } })).toEqual(["breaker.cooldownMs: must be at least 10 ms: time the circuit stays open before one probe"]);
    expect(problems({ ...valid, timeoutMs: "3s" })).toEqual(["timeoutMs: expected a number: time allowed for one HTTP attempt"]);
    expect(problems({ ...valid, retries: 1.5 })).toEqual(["retries: must be a whole number: retries after a network error, timeout or 5xx"]);
    expect(problems({ ...valid, baseUrl: "crm.example.fr" })).toEqual(["baseUrl: must be an http:// or https:// URL, e.g. https://crm.example.fr/api"]);
    expect(problems({ ...valid, baseUrl: "https://admin:secret@crm.example.fr" })[0]).toMatch(/^baseUrl: must not contain a user or password/);
    expect(problems({ ...valid, tokenEnv: "eyJhbGciOiJIUzI1NiJ9.secret" })[0]).toMatch(/^tokenEnv: must be the NAME of an environment variable/);
    expect(problems({ ...valid, breaker: { failureTreshold: 3 } })).toEqual(['breaker: unknown field "failureTreshold" for the circuit breaker']);
  });

  it("refuses to start without the token its tokenEnv names", () => {
    expect(() => create(ConfigSchema.parse({ ...valid, tokenEnv: "CRM_TOKEN" }), () => undefined)).toThrow("tokenEnv: the environment variable CRM_TOKEN is not set");
  });
});

describe("crm-http against the demo CRM (real HTTP)", () => {
  let crm: Awaited<ReturnType<typeof startDemoCrm>>;
  beforeAll(async () => {
    crm = await startDemoCrm({ port: 0, token: "demo-token", contacts: 25 });
  });
  afterAll(() => crm.close());

  const connectDemo = (token = "demo-token") =>
    create(ConfigSchema.parse({ id: "crm-demo", kind: "crm-http", label: "CRM (démo)", baseUrl: crm.url, tokenEnv: "DEMO_CRM_TOKEN", timeoutMs: 2000, backoffMs: 5 }), () => token);

  it("speaks the same contract as the mocks", async () => {
    const c = connectDemo();
    expect(await c.health()).toMatchObject({ ok: true });
    const person = DEMO_CRM_PEOPLE.corinneDesmarc;
    const matches = await c.find({ email: person.email, phone: person.phone }, signal());
    expect(matches).toEqual([{ connectorId: "crm-demo", dataset: "contacts", key: person.id, matchedOn: "email" }]);
    expect(await c.find({ phone: DEMO_CRM_PEOPLE.nadiaAzri.phone }, signal())).toEqual([
      { connectorId: "crm-demo", dataset: "contacts", key: DEMO_CRM_PEOPLE.nadiaAzri.id, matchedOn: "phone" },
    ]);

    const { sink, records, anomalies } = collectingSink({ noFiles: "the CRM has no files" });
    expect(await c.export(matches, sink)).toEqual({ records: 3, files: 0, anomalies: 0 });
    expect(anomalies).toEqual([]);
    // The seed's integrity incident: the CRM's address differs from the survey's "2, place de l'Église – 37100 Tours".
    expect(records[0]!.fields).toMatchObject({ address: "2 pl. de l'Eglise", postcode: "37000", city: "Tours" });
    expect(records.slice(1).every((r) => r.dataset === "interactions" && typeof r.fields.summary === "string")).toBe(true);

    await c.rectify!(matches, [{ match: matches[0]!, field: "postcode", from: "37000", to: "37100" }]);
    const again = collectingSink({ noFiles: "the CRM has no files" });
    await c.export(matches, again.sink);
    expect(again.records[0]!.fields.postcode).toBe("37100");

    expect(await c.erase(matches, deletePlan(matches))).toEqual({ done: matches, retained: [], failed: [] });
    expect(await c.erase(matches, deletePlan(matches))).toEqual({ done: matches, retained: [], failed: [] });
    expect(await c.find({ email: person.email }, signal())).toEqual([]);

    const unauthorised = await failure(connectDemo("wrong").find({ email: person.email }, signal()));
    expect(unauthorised).toBeInstanceOf(CrmRejected);
    const bad = await fetch(`${crm.url}/contacts`, { headers: { authorization: "Bearer demo-token" } });
    expect(bad.status).toBe(400);
  });
});
