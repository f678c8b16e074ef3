import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A file is known by device, inode and a fingerprint of its first line — never by its name, which
 * rotation reuses. The inode alone is not enough: a deleted file's inode is soon handed to a new
 * one (and copytruncate keeps the inode while replacing the content). Docker's first record holds
 * a nanosecond timestamp, so its first line tells files apart even when the inode repeats.
 */
export interface FileIdentity {
  readonly dev: string;
  readonly ino: string;
  readonly fingerprint: string;
  /** `dev:ino:fingerprint`: what checkpoints and record ids use. */
  readonly key: string;
}

/**
 * The fingerprint covers the first line (newline included) or the first `maxBytes`, whichever is
 * shorter. Until the file holds one of those it is not ready (undefined) — unless `final`, when
 * whatever it holds is all it will ever hold.
 */
export function fingerprintOf(head: Buffer, length: number, maxBytes: number, final: boolean): string | undefined {
  const nl = head.indexOf(0x0a);
  let end: number;
  if (nl >= 0 && nl < length) end = nl + 1;
  else if (length >= maxBytes) end = maxBytes;
  else if (final && length > 0) end = length;
  else return undefined;
  return createHash('sha1').update(head.subarray(0, end)).digest('hex').slice(0, 16);
}

export function identityKey(dev: string, ino: string, fingerprint: string): string {
  return `${dev}:${ino}:${fingerprint}`;
}

/** Reads the identity of an open file; undefined while its first line is still being written. */
export async function readIdentity(fh: FileHandle, maxBytes: number, final = false): Promise<FileIdentity | undefined> {
  const st = await fh.stat({ bigint: true });
  const head = Buffer.alloc(maxBytes);
  const { bytesRead } = await fh.read(head, 0, maxBytes, 0);
  const fingerprint = fingerprintOf(head, bytesRead, maxBytes, final);
  if (fingerprint === undefined) return undefined;
  const dev = st.dev.toString();
  const ino = st.ino.toString();
  return { dev, ino, fingerprint, key: identityKey(dev, ino, fingerprint) };
}

/** A path with the device and inode it had when looked at. */
export interface SiblingFile {
  readonly path: string;
  readonly dev: string;
  readonly ino: string;
  /** 0 for the live file, n for `<name>.n`: larger is older. */
  readonly generation: number;
}

/**
 * The live log and its rotated siblings (`<id>-json.log.1`, `.2`, … — Docker's rename rotation;
 * compressed `.gz` ones are not readable as they are and are skipped), oldest first.
 */
export async function listSiblings(livePath: string): Promise<SiblingFile[]> {
  const dir = dirname(livePath);
  const base = basename(livePath);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const found: SiblingFile[] = [];
  for (const name of names) {
    const generation = siblingGeneration(base, name);
    if (generation === undefined) continue;
    try {
      const st = await stat(join(dir, name), { bigint: true });
      found.push({ path: join(dir, name), dev: st.dev.toString(), ino: st.ino.toString(), generation });
    } catch {
      // Rotated away between readdir and stat: the next look will see where it went.
    }
  }
  return found.sort((a, b) => b.generation - a.generation);
}

/**
 * A listing taken while Docker rotates can be torn: a stat of `.2` before a rotation and of `.1`
 * after it skips the file that moved from `.1` to `.2` in between, and nothing would tell. Two
 * identical listings in a row prove that no rename happened while either was taken (each rename
 * moves every file by one name), so the result is a true snapshot. `stable` is false when the
 * files kept moving for `attempts` listings; the caller must then treat a loss as possible.
 */
export async function listSiblingsStable(
  livePath: string,
  attempts = 8,
  list: (livePath: string) => Promise<SiblingFile[]> = listSiblings,
): Promise<{ siblings: SiblingFile[]; stable: boolean }> {
  let previous = await list(livePath);
  for (let i = 1; i < attempts; i++) {
    const next = await list(livePath);
    if (sameFiles(previous, next)) return { siblings: next, stable: true };
    previous = next;
  }
  return { siblings: previous, stable: false };
}

function sameFiles(a: readonly SiblingFile[], b: readonly SiblingFile[]): boolean {
  return a.length === b.length && a.every((f, i) => f.path === b[i]?.path && f.dev === b[i]?.dev && f.ino === b[i]?.ino);
}

/** 0 for the live file, n for `<base>.n`, undefined for anything else. */
export function siblingGeneration(base: string, name: string): number | undefined {
  if (name === base) return 0;
  if (!name.startsWith(`${base}.`)) return undefined;
  const suffix = name.slice(base.length + 1);
  return /^[1-9][0-9]{0,5}$/.test(suffix) ? Number(suffix) : undefined;
}

