// Lint for what the type checker lets through in async code (ADR 0018): a
// promise nobody awaits, an async callback where a plain one is expected
// (forEach, setInterval, a sort), an await on something that is not a promise.
// Formatting and style are not linted.
import tseslint from "typescript-eslint";

export default [
  { ignores: ["build/**", "public/**", ".cache/**", "var/**", "node_modules/**"] },
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { "@typescript-eslint": tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: "off" },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/await-thenable": "error",
    },
  },
];
