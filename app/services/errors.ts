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
