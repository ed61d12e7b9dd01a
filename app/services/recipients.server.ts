import { and, asc, eq } from "drizzle-orm";
import { processingOperations, registerClients, type RegisterClient } from "../../db/schema/register";
import { recipientNotices } from "../../db/schema/rights";
import type * as emails from "../../emails";
import type { Registry } from "../connectors/registry";
import type { DbOrTx } from "../utils/db.server";
import { registerDatasetId } from "./register.server";
import * as audit from "./audit.server";
import type { Actor } from "./context";
import { readGathered } from "./gather-store.server";
import { enqueue } from "./outbox.server";
import { first } from "../utils/db.server";

/**
 * Art. 19, record by record. The company a record went to is named on the
 * record itself (a respondent's survey client, a survey call's survey id:
 * `ExportRecord.recipient`); the register's clients list which values name
 * which company, and where to write to it. Each company is told about its
 * own records only, identified by the reference it holds, never by values
 * from other systems; a record naming no one went to no one outside
 * CentreCall. A value the register does not know is reported, for staff to
 * tell that company by hand and to add it to the register.
 */

/** One record of one system, as connectors and plans point at it. */
export type RecordRef = { connectorId: string; dataset: string; key: string };

export type RecipientRecord = RecordRef & {
  /** the system's name, e.g. "Base études de marché (ComPlus)" */
  system: string;
  /** the register dataset id, e.g. "sql-survey:respondents" */
  registerDataset: string;
};

export type RecipientGroup = {
  client: RegisterClient;
  records: RecipientRecord[];
  /** register operations holding those records (codes) */
  operations: string[];
};

const refId = (r: RecordRef) => JSON.stringify([r.connectorId, r.dataset, r.key]);
const norm = (s: string) => s.normalize("NFC").trim().toLocaleLowerCase("fr");

/** The register's client named by a record's recipient value (one of its aliases, or its name). */
export async function clientByAlias(db: DbOrTx): Promise<(value: string) => RegisterClient | undefined> {
  const clients = await db.select().from(registerClients).orderBy(asc(registerClients.code));
  const byAlias = new Map<string, RegisterClient>();
  for (const c of clients) for (const a of [c.name, ...c.aliases]) if (!byAlias.has(norm(a))) byAlias.set(norm(a), c);
  return (value) => byAlias.get(norm(value));
}

/** The recipient value of each gathered record of this request (records the last gather stored). */
export async function gatheredRecipients(db: DbOrTx, requestId: number): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of (await readGathered(db, requestId)).records) if (r.recipient) out.set(refId(r), r.recipient);
  return out;
}

/**
 * Groups these records by the company each went to. `unknown` lists the
 * recipient values no register client answers to (told by hand, then added).
 */
export async function recipientGroups(
  db: DbOrTx,
  requestId: number,
  records: RecordRef[],
  registry: Pick<Registry, "get">,
  known?: Map<string, string>,
): Promise<{ groups: RecipientGroup[]; unknown: string[] }> {
  const recipients = known ?? (await gatheredRecipients(db, requestId));
  const clientOf = await clientByAlias(db);
  const operations = await db.select({ code: processingOperations.code, datasets: processingOperations.datasets }).from(processingOperations).orderBy(asc(processingOperations.code));
  const groups = new Map<string, RecipientGroup>();
  const unknown = new Set<string>();
  const seen = new Set<string>();
  for (const ref of records) {
    const id = refId(ref);
    if (seen.has(id)) continue;
    seen.add(id);
    const value = recipients.get(id);
    if (!value) continue;
    const client = clientOf(value);
    if (!client) {
      unknown.add(value);
      continue;
    }
    const connector = registry.get(ref.connectorId);
    const registerDataset = registerDatasetId(connector?.kind ?? ref.connectorId, ref.dataset);
    const g = groups.get(client.code) ?? groups.set(client.code, { client, records: [], operations: [] }).get(client.code)!;
    g.records.push({ connectorId: ref.connectorId, dataset: ref.dataset, key: ref.key, system: connector?.label ?? ref.connectorId, registerDataset });
  }
  for (const g of groups.values()) {
    const ds = new Set(g.records.map((r) => r.registerDataset));
    g.operations = operations.filter((o) => o.datasets.some((d) => ds.has(d))).map((o) => o.code);
  }
  return { groups: [...groups.values()], unknown: [...unknown].sort() };
}

/** How a notice names a record: the system, the dataset and the record's own reference there — the key its recipient holds. */
export function recordLine(r: Pick<RecipientRecord, "system" | "dataset" | "key">): string {
  return `${r.system} — ${r.dataset} n° ${r.key}`;
}

export type NoticeKind = "erasure" | "rectification" | "restriction" | "restriction_lifted";

/**
 * Tells each company the records went to, through the outbox, about its own
 * records only, and tracks each notice on the ticket. Returns who was told.
 */
export async function notifyRecipients(
  tx: DbOrTx,
  a: {
    requestId: number;
    reference: string;
    kind: NoticeKind;
    records: RecordRef[];
    registry: Pick<Registry, "get">;
    actor: Actor;
    at: Date;
    render: (g: RecipientGroup) => emails.Rendered;
    /** computed already (the erasure certificate names the same companies) */
    groups?: RecipientGroup[];
  },
): Promise<string[]> {
  const groups = a.groups ?? (await recipientGroups(tx, a.requestId, a.records, a.registry)).groups;
  for (const g of groups) await sendNotice(tx, a, g.client, g.records.map(recordLine), g.operations, a.render(g));
  return groups.map((g) => g.client.name);
}

/** One notice to one company: through the outbox, tracked on the ticket with the records it named, journalled in counts. */
async function sendNotice(
  tx: DbOrTx,
  a: { requestId: number; reference: string; kind: NoticeKind; actor: Actor; at: Date },
  client: RegisterClient,
  records: string[],
  operations: string[],
  message: emails.Rendered,
) {
  const outboxId = await enqueue(tx, { channel: "email", to: client.contactEmail, template: `art19_${a.kind}`, ...message, requestId: a.requestId }, a.at);
  await tx.insert(recipientNotices).values({ requestId: a.requestId, kind: a.kind, recipient: client.name, clientCode: client.code, records, operations, outboxId, sentAt: a.at });
  await audit.append(tx, { actor: a.actor, action: "recipient.notified", reference: a.reference, details: { kind: a.kind, recipient: client.code, operations, records: records.length }, at: a.at });
}

/**
 * Tells the companies told of an earlier notice (a restriction) of what
 * follows it (its lift), about the same records, as they were named then:
 * the gathered data may have gone by now, the notice's record of them has not.
 */
export async function notifyThoseTold(
  tx: DbOrTx,
  a: { requestId: number; reference: string; told: NoticeKind; kind: NoticeKind; actor: Actor; at: Date; render: (d: { recipient: string; records: string[] }) => emails.Rendered },
): Promise<string[]> {
  const earlier = await tx.select().from(recipientNotices).where(and(eq(recipientNotices.requestId, a.requestId), eq(recipientNotices.kind, a.told))).orderBy(asc(recipientNotices.id));
  const byClient = new Map<string, { client: RegisterClient; records: Set<string>; operations: Set<string> }>();
  for (const n of earlier) {
    if (!n.clientCode) continue;
    const client = await first(tx.select().from(registerClients).where(eq(registerClients.code, n.clientCode)));
    if (!client) continue;
    const e = byClient.get(client.code) ?? byClient.set(client.code, { client, records: new Set(), operations: new Set() }).get(client.code)!;
    for (const r of n.records) e.records.add(r);
    for (const o of n.operations) e.operations.add(o);
  }
  for (const { client, records, operations } of byClient.values()) {
    const lines = [...records];
    await sendNotice(tx, a, client, lines, [...operations], a.render({ recipient: client.name, records: lines }));
  }
  return [...byClient.values()].map((e) => e.client.name);
}

/** Art. 19, last sentence: the companies told of this request's erasure, rectification or restriction, for the requester. */
export async function notifiedRecipients(db: DbOrTx, requestId: number): Promise<{ recipient: string; kind: NoticeKind; sentAt: Date }[]> {
  return await db
    .select({ recipient: recipientNotices.recipient, kind: recipientNotices.kind, sentAt: recipientNotices.sentAt })
    .from(recipientNotices)
    .where(eq(recipientNotices.requestId, requestId))
    .orderBy(asc(recipientNotices.sentAt), asc(recipientNotices.id));
}
