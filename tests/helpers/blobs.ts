import { Readable } from "node:stream";
import { blobStore } from "../../app/utils/blob-store.server";

/**
 * What the app's configured blob store holds (ADR 0021), read the way any
 * process reads it: the same assertions hold on the local store (files under
 * DATA_DIR) and on PostgreSQL.
 */
export const blobExists = (key: string) => blobStore().exists(key);

export async function blobBytes(key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of await blobStore().get(key)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

export async function blobKeys(prefix: string): Promise<string[]> {
  return (await blobStore().list(prefix)).map((b) => b.key);
}

export async function copyBlob(from: string, to: string) {
  await blobStore().put(to, await blobStore().get(from));
}

/** Someone with access to the storage changed the bytes (a key is written once: delete, then put). */
export async function replaceBlob(key: string, bytes: Buffer) {
  await blobStore().delete(key);
  await blobStore().put(key, Readable.from([bytes]));
}
