import { open, readdir } from 'node:fs/promises';

import type { FileRead, Result } from './problem';
import { problemFromError } from './problem';

/**
 * The only I/O the cgroup readers do. Injected so golden tests can serve recorded files and so
 * the lxcfs shim can substitute a reader that keeps descriptors open.
 */
export interface CgroupFs {
  readText(path: string): Promise<FileRead>;
  /** Names of the subdirectories of a directory (the child cgroups of a cgroup). */
  listSubdirs(path: string): Promise<Result<readonly string[]>>;
}

/** cgroup and /proc files are small; one read of this size almost always gets all of it. */
const FIRST_READ_BYTES = 16 * 1024;

/**
 * Reads with open + read (+ more reads only when the file is bigger than the first buffer).
 * `readFile` would also fstat, which is useless here: /proc and cgroup files report size 0.
 */
export async function readSmallFile(path: string): Promise<FileRead> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    return { ok: false, problem: problemFromError(path, err) };
  }
  try {
    const chunks: Buffer[] = [];
    let size = FIRST_READ_BYTES;
    for (;;) {
      const buf = Buffer.allocUnsafe(size);
      const { bytesRead } = await handle.read(buf, 0, size, null);
      if (bytesRead > 0) chunks.push(buf.subarray(0, bytesRead));
      if (bytesRead < size) break;
      size *= 2;
    }
    return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
  } catch (err) {
    return { ok: false, problem: problemFromError(path, err) };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

export const nodeCgroupFs: CgroupFs = {
  readText: readSmallFile,
  async listSubdirs(path: string): Promise<Result<readonly string[]>> {
    try {
      const entries = await readdir(path, { withFileTypes: true });
      return { ok: true, value: entries.filter((e) => e.isDirectory()).map((e) => e.name) };
    } catch (err) {
      return { ok: false, problem: problemFromError(path, err) };
    }
  },
};
