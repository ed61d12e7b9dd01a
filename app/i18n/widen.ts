/**
 * The catalogue type: French literals widened to string (and functions kept),
 * so English must supply every key with any wording.
 */
export type Widen<T> = T extends string
  ? string
  : T extends (...args: infer A) => infer R
    ? (...args: A) => R
    : T extends readonly string[]
      ? string[]
      : T extends Record<string, string>
        ? { [K in keyof T]: string }
        : { [K in keyof T]: Widen<T[K]> };
