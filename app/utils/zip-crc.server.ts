import { createRequire } from "node:module";
import zlib from "node:zlib";

/**
 * archiver computes every entry's CRC-32 (the ZIP format requires one) with
 * the `crc-32` package, in JavaScript: ~680 MiB/s here, the slowest step of
 * an archive build once the bytes are off the disk. Node's own zlib.crc32
 * (Node ≥ 20.15) is the same function in SIMD C, ~4 GiB/s. This swaps the
 * implementation behind the very module instances archiver's streams call
 * (crc32-stream for streamed entries, compress-commons for buffered ones),
 * keeping `crc-32`'s contract: the previous CRC as a signed seed (anything
 * else means "start"), a signed 32-bit result. tests/archive.test.ts reads
 * the archives back with yauzl and `unzip -t`, which both check every CRC.
 */
type Crc32Module = { buf(data: Uint8Array, seed?: unknown): number };

/** `crc-32`'s `buf`, natively. */
export function nativeCrc32(data: Uint8Array, seed?: unknown): number {
  return zlib.crc32(data, typeof seed === "number" ? seed >>> 0 : 0) | 0;
}

let installed = false;

export function useNativeZipCrc() {
  if (installed || typeof zlib.crc32 !== "function") return;
  installed = true;
  const fromApp = createRequire(import.meta.url);
  const owners = ["crc32-stream", "compress-commons"];
  for (const owner of owners) {
    let mod: Crc32Module;
    try {
      mod = createRequire(fromApp.resolve(owner))("crc-32") as Crc32Module;
    } catch {
      continue; // a layout we do not know: archiver keeps its own, slower and still correct
    }
    mod.buf = nativeCrc32;
  }
}
