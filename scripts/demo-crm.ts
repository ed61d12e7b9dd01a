/**
 * A stand-in for CentreCall's client CRM: the REST contract the crm-http
 * connector reads (app/connectors/crm-http/contract.ts), on node:http, backed
 * by its own SQLite file. The demo and the benchmark start it in-process with
 * `startDemoCrm`; on its own:
 *
 *   npx tsx scripts/demo-crm.ts [--port 3001] [--db var/demo-crm.sqlite] [--token …] [--contacts 200]
 *
 * The token comes from --token, else DEMO_CRM_TOKEN, else "demo-crm-token".
 * Seeded once (an existing file is served as it is) with Corinne Desmarc —
 * whose address here differs from the survey's "2, place de l'Église, 37100
 * Tours", as in the seed's integrity incident — David Blanc, Nadia Azri and
 * `contacts` generated people with their interactions. It logs no requests:
 * their queries are email addresses and phone numbers.
 */
import Database from "better-sqlite3";
import { createHash, timingSafeEqual } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { ContactPatchSchema, type ContactDetailJson, type ContactJson, type InteractionJson } from "../app/connectors/crm-http/contract";
import { prng } from "../app/connectors/demo-random";

export type DemoCrmOptions = {
  /** 0 for any free port (default 3001) */
  port?: number;
  host?: string;
  /** SQLite file (default in memory) */
  dbPath?: string;
  token: string;
  /** generated contacts besides the three named people (default 200) */
  contacts?: number;
  seed?: number;
  /** dates are spread over the years before this instant (default 2026-03-31T12:00Z, for stable output) */
  now?: Date;
  /** every answer waits this long first: a client system that answers slowly (tests, benchmarks) */
  latencyMs?: number;
  /** after the wait, every answer is a 503: a client system that went down (tests); read per request */
  failing?: boolean;
};

/** What was asked of it, method and path only (the query holds emails and numbers): to count calls in tests. */
export type DemoCrm = { url: string; calls: { method: string; path: string }[]; close(): Promise<void> };

/** The named people, as the CRM holds them. */
export const DEMO_CRM_PEOPLE = {
  corinneDesmarc: {
    id: "c-000001",
    email: "desmarc.corinne@orange.fr",
    phone: "+33247000000",
    lastName: "Desmarc",
    firstName: "Corinne",
    // The survey has "2, place de l'Église – 37100 Tours": abbreviated, unaccented, and the wrong postcode here.
    address: "2 pl. de l'Eglise",
    postcode: "37000",
    city: "Tours",
    createdAt: "2019-06-03T08:15:00.000Z",
  },
  davidBlanc: {
    id: "c-000002",
    email: "david.blanc@example.fr",
    phone: "+33612345678",
    lastName: "Blanc",
    firstName: "David",
    address: "18 rue de la Roquette",
    postcode: "75011",
    city: "Paris",
    createdAt: "2021-11-20T14:02:00.000Z",
  },
  nadiaAzri: {
    id: "c-000003",
    email: null,
    phone: "+33781223344",
    lastName: "Azri",
    firstName: "Nadia",
    address: "7 allée des Tilleuls",
    postcode: "59000",
    city: "Lille",
    createdAt: "2023-02-07T10:40:00.000Z",
  },
} satisfies Record<string, ContactJson>;

const NAMED_INTERACTIONS: (Omit<InteractionJson, "id"> & { contactId: string })[] = [
  { contactId: "c-000001", at: "2026-03-17T09:12:00.000Z", channel: "phone", summary: "Questionnaire Osiris (réseaux sociaux) : entretien complet, enregistrement accepté.", agentId: "agt-tours-04" },
  { contactId: "c-000001", at: "2026-03-18T15:40:00.000Z", channel: "phone", summary: "Rappel : demande comment ses réponses seront utilisées.", agentId: "agt-tours-04" },
  { contactId: "c-000002", at: "2026-02-18T10:05:00.000Z", channel: "phone", summary: "Appel entrant : réclamation sur une date de naissance erronée.", agentId: "agt-paris-03" },
  { contactId: "c-000002", at: "2026-03-14T11:30:00.000Z", channel: "email", summary: "Envoi du récapitulatif du questionnaire Osiris.", agentId: "agt-paris-07" },
  { contactId: "c-000003", at: "2026-03-05T17:20:00.000Z", channel: "phone", summary: "Enquête énergie : ne souhaite plus être rappelée.", agentId: "agt-lille-05" },
];

const FIRST = ["Camille", "Louis", "Emma", "Hugo", "Léa", "Nathan", "Chloé", "Lucas", "Manon", "Théo", "Inès", "Jules", "Sarah", "Paul", "Zoé", "Arthur"];
const LAST = ["Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand"];
const STREETS = ["rue Nationale", "avenue de Grammont", "rue Sainte-Catherine", "boulevard Carnot", "rue de la République", "place du Capitole", "rue Faidherbe"];
const CITIES: [string, string, string][] = [
  ["Lille", "59000", "lille"],
  ["Paris", "75010", "paris"],
  ["Tours", "37000", "tours"],
  ["Bordeaux", "33000", "bordeaux"],
  ["Toulouse", "31000", "toulouse"],
];
const SUMMARIES = [
  "Réponse au questionnaire de satisfaction.",
  "Demande de rappel en soirée.",
  "Réclamation sur une facture.",
  "Mise à jour de l'adresse postale.",
  "Refus de participer à l'enquête.",
  "Question sur l'utilisation de ses données.",
];
const CHANNELS = ["phone", "phone", "phone", "email", "web", "sms"];


const ascii = (s: string) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

function openDb(dbPath: string) {
  if (dbPath !== ":memory:") mkdirSync(path.dirname(path.resolve(dbPath)), { recursive: true });
  const db = new Database(dbPath);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.exec(`
    CREATE TABLE IF NOT EXISTS contacts (
      id TEXT PRIMARY KEY, email TEXT, phone TEXT, last_name TEXT, first_name TEXT,
      address TEXT, postcode TEXT, city TEXT, created_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS contacts_email_idx ON contacts (email COLLATE NOCASE);
    CREATE INDEX IF NOT EXISTS contacts_phone_idx ON contacts (phone);
    CREATE TABLE IF NOT EXISTS interactions (
      id TEXT PRIMARY KEY,
      contact_id TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
      at TEXT NOT NULL, channel TEXT NOT NULL, summary TEXT, agent_id TEXT
    );
    CREATE INDEX IF NOT EXISTS interactions_contact_idx ON interactions (contact_id, at);
  `);
  return db;
}

function seedDb(db: Database.Database, generated: number, seed: number, now: number) {
  if (db.prepare<[], { n: number }>("SELECT count(*) AS n FROM contacts").get()!.n > 0) return;
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const insertContact = db.prepare(
    `INSERT INTO contacts (id, email, phone, last_name, first_name, address, postcode, city, created_at)
     VALUES (@id, @email, @phone, @lastName, @firstName, @address, @postcode, @city, @createdAt)`,
  );
  const insertInteraction = db.prepare(
    "INSERT INTO interactions (id, contact_id, at, channel, summary, agent_id) VALUES (@id, @contactId, @at, @channel, @summary, @agentId)",
  );
  let interaction = 0;
  const nextInteractionId = () => `i-${String(++interaction).padStart(7, "0")}`;
  db.transaction(() => {
    for (const c of Object.values(DEMO_CRM_PEOPLE)) insertContact.run(c);
    for (const i of NAMED_INTERACTIONS) insertInteraction.run({ id: nextInteractionId(), ...i });
    const named = new Set(Object.values(DEMO_CRM_PEOPLE).map((c) => c.phone));
    for (let n = 0; n < generated; n++) {
      const first = pick(FIRST);
      const last = pick(LAST);
      const [city, postcode, site] = pick(CITIES);
      let phone: string;
      do phone = `+33${pick(["6", "7"])}${String(Math.floor(rand() * 100_000_000)).padStart(8, "0")}`;
      while (named.has(phone));
      const id = `c-${String(n + 4).padStart(6, "0")}`;
      const createdAt = now - Math.floor(rand() * 6 * 365) * 86_400_000 - Math.floor(rand() * 86_400_000);
      insertContact.run({
        id,
        email: rand() < 0.9 ? `${ascii(first)}.${ascii(last)}${n + 4}@example.fr` : null,
        phone: rand() < 0.95 ? phone : null,
        lastName: last,
        firstName: first,
        address: `${1 + Math.floor(rand() * 120)} ${pick(STREETS)}`,
        postcode,
        city,
        createdAt: new Date(createdAt).toISOString(),
      });
      const count = Math.floor(rand() * 5);
      for (let k = 0; k < count; k++) {
        insertInteraction.run({
          id: nextInteractionId(),
          contactId: id,
          at: new Date(createdAt + Math.floor(rand() * (now - createdAt))).toISOString(),
          channel: pick(CHANNELS),
          summary: pick(SUMMARIES),
          agentId: `agt-${site}-${String(1 + Math.floor(rand() * 12)).padStart(2, "0")}`,
        });
      }
    }
  })();
}

type ContactRow = {
  id: string;
  email: string | null;
  phone: string | null;
  last_name: string | null;
  first_name: string | null;
  address: string | null;
  postcode: string | null;
  city: string | null;
  created_at: string;
};
type InteractionRow = { id: string; at: string; channel: string; summary: string | null; agent_id: string | null };

const toContact = (r: ContactRow): ContactJson => ({
  id: r.id,
  email: r.email,
  phone: r.phone,
  lastName: r.last_name,
  firstName: r.first_name,
  address: r.address,
  postcode: r.postcode,
  city: r.city,
  createdAt: r.created_at,
});
const COLUMN = { email: "email", phone: "phone", lastName: "last_name", firstName: "first_name", address: "address", postcode: "postcode", city: "city" } as const;

function send(res: ServerResponse, status: number, body?: unknown) {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  res.end(text);
}

class BadRequest extends Error {}

async function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BadRequest("body too large");
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BadRequest("body is not valid JSON");
  }
}

export async function startDemoCrm(options: DemoCrmOptions): Promise<DemoCrm> {
  if (!options.token) throw new Error("startDemoCrm: a token is required");
  const db = openDb(options.dbPath ?? ":memory:");
  seedDb(db, options.contacts ?? 200, options.seed ?? 1, (options.now ?? new Date("2026-03-31T12:00:00Z")).getTime());

  const q = {
    byEmail: db.prepare<[string], ContactRow>("SELECT * FROM contacts WHERE email = ? COLLATE NOCASE ORDER BY id"),
    byPhone: db.prepare<[string], ContactRow>("SELECT * FROM contacts WHERE phone = ? ORDER BY id"),
    one: db.prepare<[string], ContactRow>("SELECT * FROM contacts WHERE id = ?"),
    interactions: db.prepare<[string], InteractionRow>("SELECT id, at, channel, summary, agent_id FROM interactions WHERE contact_id = ? ORDER BY at, id"),
    remove: db.prepare<[string]>("DELETE FROM contacts WHERE id = ?"),
  };
  const expected = createHash("sha256").update(`Bearer ${options.token}`).digest();
  const authorized = (req: IncomingMessage) => {
    const given = createHash("sha256").update(req.headers.authorization ?? "").digest();
    return timingSafeEqual(given, expected);
  };

  const calls: { method: string; path: string }[] = [];
  async function handle(req: IncomingMessage, res: ServerResponse) {
    calls.push({ method: req.method ?? "GET", path: new URL(req.url ?? "/", "http://demo-crm.local").pathname });
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    if (options.failing) return send(res, 503, { error: "unavailable" });
    if (!authorized(req)) {
      res.setHeader("www-authenticate", 'Bearer realm="demo-crm"');
      return send(res, 401, { error: "unauthorized" });
    }
    const url = new URL(req.url ?? "/", "http://demo-crm.local");
    const method = req.method ?? "GET";

    if (url.pathname === "/health") return method === "GET" ? send(res, 200, { ok: true }) : send(res, 405, { error: "method_not_allowed" });

    if (url.pathname === "/contacts") {
      if (method !== "GET") return send(res, 405, { error: "method_not_allowed" });
      const email = url.searchParams.get("email");
      const phone = url.searchParams.get("phone");
      if ((email === null) === (phone === null) || (email ?? phone) === "") return send(res, 400, { error: "give exactly one of email or phone" });
      const rows = email !== null ? q.byEmail.all(email.trim()) : q.byPhone.all(phone!.trim());
      return send(res, 200, { contacts: rows.map(toContact) });
    }

    const m = /^\/contacts\/([^/]+)$/.exec(url.pathname);
    if (!m) return send(res, 404, { error: "not_found" });
    const id = decodeURIComponent(m[1]!);

    if (method === "GET") {
      const row = q.one.get(id);
      if (!row) return send(res, 404, { error: "not_found" });
      const detail: ContactDetailJson = {
        ...toContact(row),
        interactions: q.interactions.all(id).map((i) => ({ id: i.id, at: i.at, channel: i.channel, summary: i.summary, agentId: i.agent_id })),
      };
      return send(res, 200, detail);
    }
    if (method === "PATCH") {
      const parsed = ContactPatchSchema.safeParse(await readJson(req));
      if (!parsed.success) return send(res, 400, { error: "invalid patch", fields: parsed.error.issues.map((i) => i.path.join(".")) });
      const entries = Object.entries(parsed.data).filter(([, v]) => v !== undefined) as [keyof typeof COLUMN, string | null][];
      if (!q.one.get(id)) return send(res, 404, { error: "not_found" });
      if (entries.length) {
        db.prepare(`UPDATE contacts SET ${entries.map(([k]) => `${COLUMN[k]} = ?`).join(", ")} WHERE id = ?`).run(...entries.map(([, v]) => v), id);
      }
      return send(res, 200, toContact(q.one.get(id)!));
    }
    if (method === "DELETE") {
      // Interactions go with the contact (ON DELETE CASCADE).
      return q.remove.run(id).changes ? send(res, 204) : send(res, 404, { error: "not_found" });
    }
    return send(res, 405, { error: "method_not_allowed" });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof BadRequest) return send(res, 400, { error: error.message });
      send(res, 500, { error: "internal" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3001, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    calls,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      db.close();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "3001" },
      db: { type: "string", default: "var/demo-crm.sqlite" },
      token: { type: "string" },
      contacts: { type: "string", default: "200" },
    },
  });
  const port = Number(values.port);
  const contacts = Number(values.contacts);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("--port must be a port number");
  if (!Number.isInteger(contacts) || contacts < 0) throw new Error("--contacts must be a whole number");
  const token = values.token ?? process.env.DEMO_CRM_TOKEN ?? "demo-crm-token";
  const crm = await startDemoCrm({ port, dbPath: values.db, token, contacts });
  console.log(`Demo CRM listening at ${crm.url} (SQLite: ${values.db}); send "Authorization: Bearer <token>". Ctrl+C stops it.`);
  const stop = () => void crm.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
