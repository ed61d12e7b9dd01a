import { describe, expect, it } from "vitest";
import { httpStatusOf, type DomainErrorCode } from "../app/services/errors";

/** Issue 17: one table from domain error codes to HTTP statuses, used by every route. */
describe("httpStatusOf", () => {
  it("gives each code the status the issue names", () => {
    // A Record, so that a code added without a status here fails the typecheck too.
    const expected: Record<DomainErrorCode, number> = { not_found: 404, forbidden: 403, invalid_input: 400, invalid_token: 400, illegal_transition: 409, conflict: 409, rate_limited: 429, unavailable: 503 };
    for (const [code, status] of Object.entries(expected)) expect(httpStatusOf(code as DomainErrorCode), code).toBe(status);
  });

  it("answers only client or unavailable statuses, never a 500 or a success", () => {
    const codes: DomainErrorCode[] = ["not_found", "forbidden", "invalid_input", "invalid_token", "illegal_transition", "conflict", "rate_limited", "unavailable"];
    for (const code of codes) expect([400, 403, 404, 409, 429, 503]).toContain(httpStatusOf(code));
  });
});
