export * from "./requests";
export * from "./verification";
export * from "./outbox";
export * from "./rate-limits";
