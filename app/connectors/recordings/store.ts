import { createReadStream, realpathSync } from "node:fs";
import { access, constants, realpath, stat, unlink } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";

/**
 * Where the audio lives. The index names each file by a path relative to the
 * store's root; the store never hands out, or deletes, anything outside it.
 * An interface so that an object store (S3, a NAS API) can stand in later.
 */
export interface RecordingStore {
  /** null when the file is not there (already erased, never copied) */
  stat(relativePath: string): Promise<{ size: number } | null>;
  /** the original bytes, as stored */
  open(relativePath: string): Readable;
  /** false when there was nothing to remove */
  remove(relativePath: string): Promise<boolean>;
  /** the root can be listed and read */
  check(): Promise<void>;
}

/** A path in the index that points outside the root: refused, never followed. */
export class PathOutsideRoot extends Error {
  constructor() {
    // The path itself stays out of the message: file names may embed a caller's number.
    super("recording path escapes the storage root");
    this.name = "PathOutsideRoot";
  }
}

function isInside(root: string, candidate: string) {
  const rel = path.relative(root, candidate);
  return rel !== "" && !rel.startsWith(`..${path.sep}`) && rel !== ".." && !path.isAbsolute(rel);
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException)?.code === "ENOENT";

export function localRecordingStore(root: string): RecordingStore {
  const base = path.resolve(root);
  let realBase: string | undefined;
  const realRoot = () => (realBase ??= realpathSync(base));

  /** Lexical check first (no I/O, catches `../` and absolute paths), then symlinks once the file exists. */
  function resolveLexically(relativePath: string) {
    if (relativePath.includes("\0") || path.isAbsolute(relativePath)) throw new PathOutsideRoot();
    const full = path.resolve(base, relativePath);
    if (!isInside(base, full)) throw new PathOutsideRoot();
    return full;
  }

  async function resolveExisting(relativePath: string): Promise<string | null> {
    const full = resolveLexically(relativePath);
    let real: string;
    try {
      real = await realpath(full);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    if (!isInside(realRoot(), real)) throw new PathOutsideRoot();
    return full;
  }

  return {
    async stat(relativePath) {
      const full = await resolveExisting(relativePath);
      if (!full) return null;
      const s = await stat(full);
      return s.isFile() ? { size: s.size } : null;
    },
    open(relativePath) {
      const full = resolveLexically(relativePath);
      // Synchronous on purpose: open() returns a stream, and the check must happen before it exists.
      if (!isInside(realRoot(), realpathSync(full))) throw new PathOutsideRoot();
      return createReadStream(full);
    },
    async remove(relativePath) {
      const full = resolveLexically(relativePath);
      // A symlink that leads out of the root is refused rather than unlinked: someone put it there on purpose.
      if ((await resolveExisting(relativePath)) === null) return false;
      try {
        await unlink(full);
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
    async check() {
      const s = await stat(base);
      if (!s.isDirectory()) throw new Error("recordings root is not a directory");
      await access(base, constants.R_OK | constants.X_OK);
    },
  };
}
