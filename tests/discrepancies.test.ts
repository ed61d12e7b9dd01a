import { describe, expect, it } from "vitest";
import { normalise } from "../app/services/discrepancies.server";

describe("normalise", () => {
  it("ignores case, accents and punctuation, not content", () => {
    expect(normalise("2, place de l'Église")).toBe(normalise("2 place de l eglise"));
    expect(normalise("DESMARC")).toBe(normalise("Desmarc"));
    expect(normalise("2 pl. de l'Eglise")).not.toBe(normalise("2, place de l'Église"));
    expect(normalise("37100")).not.toBe(normalise("37000"));
  });
});
