import { and, asc, eq, isNull } from "drizzle-orm";
import { archives } from "../../db/schema/archives";
import { letters, type RequestRow } from "../../db/schema/requests";
import { erasurePlans, rectifications, restrictions, suppressionList } from "../../db/schema/rights";
import type { Done } from "../../emails";
import type { DbOrTx } from "../utils/db.server";
import { parisDate } from "./deadlines";
import { first } from "../utils/db.server";

/**
 * What was actually done for a request, read from its own records (never
 * assumed from the rights it asked for): the closing letter lists it, and
 * the status page follows it.
 */
export async function whatWasDone(db: DbOrTx, r: Pick<RequestRow, "id">): Promise<Done[]> {
  const out: { kind: Done["kind"]; at: Date }[] = [];
  const released = await db.select({ kind: archives.kind, at: archives.releasedAt }).from(archives).where(eq(archives.requestId, r.id)).orderBy(asc(archives.releasedAt));
  for (const kind of ["access", "portability"] as const) {
    const first = released.find((a) => a.kind === kind);
    if (first) out.push({ kind: kind === "access" ? "archive_access" : "archive_portability", at: first.at });
  }
  const erased = await first(db.select({ at: erasurePlans.verifiedAt }).from(erasurePlans).where(and(eq(erasurePlans.requestId, r.id), eq(erasurePlans.status, "verified"))));
  if (erased?.at) out.push({ kind: "erasure", at: erased.at });
  const noData = await first(db.select({ at: letters.createdAt }).from(letters).where(and(eq(letters.requestId, r.id), eq(letters.kind, "no_data"))));
  if (noData) out.push({ kind: "no_data", at: noData.at });
  const rectified = await first(db.select({ at: rectifications.appliedAt }).from(rectifications).where(and(eq(rectifications.requestId, r.id), eq(rectifications.status, "applied"))));
  if (rectified?.at) out.push({ kind: "rectification", at: rectified.at });
  const restricted = await first(db.select({ at: restrictions.appliedAt }).from(restrictions).where(and(eq(restrictions.requestId, r.id), isNull(restrictions.error))).orderBy(asc(restrictions.appliedAt)));
  if (restricted) out.push({ kind: "restriction", at: restricted.at });
  const objected = await first(db.select({ at: suppressionList.addedAt }).from(suppressionList).where(eq(suppressionList.requestId, r.id)).orderBy(asc(suppressionList.addedAt)));
  if (objected) out.push({ kind: "objection", at: objected.at });
  return out.sort((a, b) => a.at.getTime() - b.at.getTime()).map((x) => ({ kind: x.kind, on: parisDate(x.at) }));
}
