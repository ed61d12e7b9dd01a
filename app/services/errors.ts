/** Domain failures a person can understand; routes turn them into 4xx pages. */
export type DomainErrorCode =
  | "not_found"
  | "illegal_transition"
  | "rate_limited"
  | "invalid_token"
  | "forbidden"
  | "conflict"
  | "invalid_input"
  /** the server cannot do it right now (a full or read-only disk): try again once fixed */
  | "unavailable";

export class DomainError extends Error {
  constructor(
    public readonly code: DomainErrorCode,
    public readonly detail: Record<string, unknown> = {},
  ) {
    super(code);
    this.name = "DomainError";
  }
}

/**
 * The one HTTP status for each code, next to the codes so that a new code
 * without a status does not compile. Routes use it whether they throw to the
 * error boundary or answer their own page with a message.
 */
const HTTP_STATUS: Record<DomainErrorCode, number> = {
  not_found: 404,
  forbidden: 403,
  invalid_input: 400,
  // A link that does not check is bad input, not a missing page: the form says so.
  invalid_token: 400,
  illegal_transition: 409,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
};

export function httpStatusOf(code: DomainErrorCode): number {
  return HTTP_STATUS[code];
}
