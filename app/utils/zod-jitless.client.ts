import { config } from "zod";

// The Content-Security-Policy allows no eval. Zod 4 otherwise probes for it
// with `new Function("")` when it builds an object schema, which the browser
// reports as a CSP violation even though zod catches the refusal; without the
// probe it takes its ordinary path, with the same results. It must run before
// any schema is built: import this module first. A .client module: the
// server never loads it and keeps zod's faster path.
config({ jitless: true });
