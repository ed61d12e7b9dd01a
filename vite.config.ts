import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type Plugin } from "vite";
import { fileURLToPath } from "node:url";
import remixOptions from "./remix.config.js";

const appDir = fileURLToPath(new URL("./app", import.meta.url));
const zodForTheBrowser = fileURLToPath(new URL("./app/utils/zod.client.ts", import.meta.url));

/** In the client build, "zod" is zod with its eval probe off (app/utils/zod.client.ts says why). */
const zodWithoutEval: Plugin = {
  name: "rightsdesk:zod-without-eval",
  enforce: "pre",
  resolveId(source, importer, options) {
    if (source !== "zod" || options?.ssr || importer === zodForTheBrowser) return null;
    return zodForTheBrowser;
  },
};

// Vitest runs without the Remix plugin (it cannot host route modules);
// integration tests drive the production build over HTTP instead.
const isVitest = process.env.VITEST === "true";

export default defineConfig({
  resolve: { alias: { "~": appDir } },
  plugins: isVitest ? [] : [zodWithoutEval, remix(remixOptions)],
  build: {
    target: "es2022",
    rollupOptions: {
      // zod's comments and empty server-only route chunks are harmless noise.
      onwarn(warning, warn) {
        if (warning.code === "INVALID_ANNOTATION" || warning.code === "EMPTY_BUNDLE") return;
        warn(warning);
      },
    },
  },
  server: { port: 3000 },
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 120_000,
  },
} as import("vite").UserConfig & { test: import("vitest/node").InlineConfig });
