import type { Db } from "../utils/db.server";

/** Who is acting. Staff actors arrive with the back office. */
export type Actor = { kind: "requester" } | { kind: "system" };

/** What every service verb receives: the actor, the clock and the database. */
export type Ctx = { db: Db; now: Date; actor: Actor };

export function actorLabel(actor: Actor): string {
  return actor.kind;
}
