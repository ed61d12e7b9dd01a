import { describe, expect, it } from "vitest";
import { TICKET_INTENTS, ticketIntent } from "../app/web/ticket-intents.server";
import { IRREVERSIBLE } from "../app/services/confirmations.server";

describe("the ticket page's intents", () => {
  it("ask for confirmation for exactly the actions the confirmation service describes, each with its own sentence after it", () => {
    const marked = Object.entries(TICKET_INTENTS).filter(([, e]) => "irreversible" in e && e.irreversible);
    expect(marked.map(([name]) => name).sort()).toEqual([...IRREVERSIBLE].sort());
    for (const [name, e] of marked) expect("feedback" in e && e.feedback).toBe(name);
  });

  it("know nothing of an object's own keys", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", ""]) expect(ticketIntent(name)).toBeNull();
    expect(ticketIntent("refuse")).toBe(TICKET_INTENTS.refuse);
  });
});
