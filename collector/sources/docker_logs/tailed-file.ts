import { open, type FileHandle } from 'node:fs/promises';
import type { FileDecoder } from './file-decoder';
import type { FileIdentity } from './file-identity';

/** Where to start once the file's identity is known: an offset, or the end of its last full line. */
export type StartAt = number | 'end';

/** One open log file of a container: its handle, identity, read and delivery positions. */
export class TailedFile {
  identity: FileIdentity | undefined;
  decoder: FileDecoder | undefined;
  /** Next byte to read. */
  readOffset = 0;
  /** Delivered (or rejected) up to here: where a re-read after `failed` starts. */
  committed = 0;
  /** A newer file exists (rotation, or the log was deleted): the next EOF is its real end. */
  sealed = false;
  /** Decoded to its end and flushed; closed once `committed` reaches `readOffset`. */
  finished = false;
  closed = false;
  /** Creation time (statx btime; 0 where the file system does not keep it): its place among the siblings. */
  birthNs = 0n;

  constructor(
    readonly fh: FileHandle,
    public path: string,
    readonly dev: string,
    readonly ino: string,
    public startAt: StartAt,
  ) {}

  get devIno(): string {
    return `${this.dev}:${this.ino}`;
  }

  get key(): string | undefined {
    return this.identity?.key;
  }

  /** Fully delivered: safe to close and forget (it is marked `done` in the checkpoints). */
  get drained(): boolean {
    return this.finished && this.committed >= this.readOffset;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close().catch(() => undefined);
  }
}

/** Opens `path` and reads its device and inode from the handle (not the path, which may move). */
export async function openTailed(path: string, startAt: StartAt): Promise<TailedFile | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const st = await fh.stat({ bigint: true });
    const f = new TailedFile(fh, path, st.dev.toString(), st.ino.toString(), startAt);
    f.birthNs = st.birthtimeNs;
    return f;
  } catch {
    await fh.close().catch(() => undefined);
    return undefined;
  }
}

/** The offset just past the last newline before `size` (so `read_from: end` starts on a line). */
export async function lastLineEnd(fh: FileHandle, size: number): Promise<number> {
  const window = Math.min(size, 256 * 1024);
  if (window === 0) return 0;
  const buf = Buffer.alloc(window);
  const { bytesRead } = await fh.read(buf, 0, window, size - window);
  const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
  return nl < 0 ? size : size - window + nl + 1;
}

