/**
 * What `import … from "zod"` means in the browser (vite.config.ts points the
 * client build here): zod itself, with its `jitless` option set before any
 * module that imports zod can build a schema (ES modules run their imports
 * first, so this body runs before theirs). The Content-Security-Policy allows
 * no eval; zod 4 otherwise probes for it with `new Function("")` when it
 * builds an object schema, which the browser reports as a CSP violation even
 * though zod catches the refusal. Without the probe it takes its ordinary
 * path, with the same results. The server keeps zod's faster path.
 */
import { config } from "zod/v4";
config({ jitless: true });

export * from "zod/v4";
export { default } from "zod/v4";
