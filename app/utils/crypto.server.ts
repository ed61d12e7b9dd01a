import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomInt } from "node:crypto";
import { env } from "./env.server";

/**
 * Every secret we need is derived from APP_SECRET with HKDF and a purpose
 * label, so rotating APP_SECRET rotates them all and no two uses share a key.
 */
const keys = new Map<string, Buffer>();
export function derivedKey(purpose: string): Buffer {
  const secret = env().APP_SECRET;
  const cacheKey = `${purpose}\0${secret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", secret, "rightsdesk", purpose, 32));
    keys.set(cacheKey, key);
  }
  return key;
}

/** HMAC-SHA256 of a value: how tokens, identifiers and IPs are stored or compared. */
export function keyedHash(purpose: string, value: string): string {
  return createHmac("sha256", derivedKey(`hash:${purpose}`)).update(value).digest("base64url");
}

/** 256 bits, URL-safe: verification links and status links. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

/** A 6-digit code for SMS, uniformly drawn. */
export function randomCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, "0");
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM: iv | tag | ciphertext. `aad` binds the blob to its row. */
export function encrypt(plain: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", derivedKey("encrypt:v1"), iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function decrypt(blob: Buffer, aad: string): Buffer {
  const iv = blob.subarray(0, IV_BYTES);
  const tag = blob.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", derivedKey("encrypt:v1"), iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(blob.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/** Streaming AES-256-GCM for files: the IV and tag are kept beside the ciphertext's row. */
export function fileCipher(aad: string) {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", derivedKey("encrypt:v1"), iv);
  cipher.setAAD(Buffer.from(aad));
  return { iv, cipher };
}

export function fileDecipher(iv: Buffer, tag: Buffer, aad: string) {
  const decipher = createDecipheriv("aes-256-gcm", derivedKey("encrypt:v1"), iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return decipher;
}
