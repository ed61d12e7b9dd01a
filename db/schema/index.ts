export * from "./requests";
export * from "./verification";
export * from "./outbox";
export * from "./rate-limits";
export * from "./staff";
export * from "./audit";
export * from "./register";
export * from "./gather";
