import { createContext, useContext, type ReactNode } from "react";

/**
 * The Content-Security-Policy nonce of this response (app/web/http.server.ts makes
 * one per request). entry.server.tsx provides it; root.tsx gives it to
 * Remix's inline scripts. In the browser the attribute is hidden once the page
 * is parsed, so the client renders with "" and hydration keeps the server's.
 */
const NonceContext = createContext<string>("");

export function NonceProvider({ nonce, children }: { nonce: string; children: ReactNode }) {
  return <NonceContext.Provider value={nonce}>{children}</NonceContext.Provider>;
}

export function useNonce(): string | undefined {
  return useContext(NonceContext) || undefined;
}
