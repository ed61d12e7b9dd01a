import type { Role, Site } from "../../db/schema/enums";
import type { Db } from "../utils/db.server";

/** A signed-in back-office user, as the services see them. */
export type StaffActor = { kind: "staff"; id: number; role: Role; site: Site; email: string; displayName: string };

/** Who is acting. */
export type Actor = { kind: "requester" } | { kind: "system" } | StaffActor;

/** What every service verb receives: the actor, the clock and the database. */
export type Ctx = { db: Db; now: Date; actor: Actor };

export function actorLabel(actor: Actor): string {
  return actor.kind === "staff" ? `staff:${actor.id}` : actor.kind;
}
