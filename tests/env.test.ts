import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../app/utils/env.server";

describe("configuration", () => {
  it("lists every problem at once, readably", () => {
    try {
      parseEnv({ APP_ENV: "production", PORT: "abc", SMTP_URL: "mail.example.com" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain("PORT");
      expect(message).toContain("SMTP_URL must start with smtp:// or smtps://");
      expect(message).toContain("APP_SECRET is required when APP_ENV=production");
      expect(message).toContain("SMS_GATEWAY_URL is required when APP_ENV=production");
    }
  });

  it("keeps files under DATA_DIR on SQLite, and says plainly what BLOB_STORE accepts", () => {
    const base = { APP_ENV: "test", APP_SECRET: "blob-store-secret-long-enough-0123456789" };
    expect(parseEnv(base).BLOB_STORE).toBe("local");
    expect(() => parseEnv({ ...base, BLOB_STORE: "s3" })).toThrow('BLOB_STORE must be "local" (files under DATA_DIR) or "postgres" (in the PostgreSQL database of DATABASE_URL)');
    expect(() => parseEnv({ ...base, BLOB_STORE: "postgres" })).toThrow("BLOB_STORE=postgres keeps files in the PostgreSQL database: it needs DATABASE_URL=postgres://…");
  });

  it("generates a demo secret once, keeps it private, and reuses it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "rightsdesk-env-"));
    const first = parseEnv({ APP_ENV: "demo", DATA_DIR: dir });
    const second = parseEnv({ APP_ENV: "demo", DATA_DIR: dir });
    expect(first.APP_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(second.APP_SECRET).toBe(first.APP_SECRET);
    const file = path.join(dir, "app-secret");
    expect(readFileSync(file, "utf8").trim()).toBe(first.APP_SECRET);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(first.DATABASE_URL).toBe(`file:${path.join(dir, "rightsdesk.sqlite")}`);
    expect(first.devTools).toBe(true);
  });

  it("turns the development tools off in production", () => {
    const env = parseEnv({
      APP_ENV: "production",
      APP_SECRET: "x".repeat(40),
      SMTP_URL: "smtp://mail.example.com:587",
      SMS_GATEWAY_URL: "https://sms.example.com/send",
      BASE_URL: "https://droits.centrecall.example/",
      SUPPRESSION_HASH_KEY: "s".repeat(40),
      SUPPRESSION_API_TOKEN: "t".repeat(40),
    });
    expect(env.devTools).toBe(false);
    expect(env.BASE_URL).toBe("https://droits.centrecall.example");
  });

  it("sends the reminder to confirm after 48 hours by default, and only before the request lapses", () => {
    const secret = "x".repeat(40);
    expect(parseEnv({ APP_ENV: "test", APP_SECRET: secret }).VERIFICATION_REMINDER_HOURS).toBe(48);
    expect(parseEnv({ APP_ENV: "test", APP_SECRET: secret, VERIFICATION_REMINDER_HOURS: "72" }).VERIFICATION_REMINDER_HOURS).toBe(72);
    expect(() => parseEnv({ APP_ENV: "test", APP_SECRET: secret, VERIFICATION_REMINDER_HOURS: "400", UNVERIFIED_EXPIRY_DAYS: "14" })).toThrow(/VERIFICATION_REMINDER_HOURS must be shorter than UNVERIFIED_EXPIRY_DAYS/);
  });

  it("requires an explicit secret in tests", () => {
    expect(() => parseEnv({ APP_ENV: "test" })).toThrow(/APP_SECRET/);
  });
});
