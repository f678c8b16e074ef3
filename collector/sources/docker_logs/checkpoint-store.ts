import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** How far one file has been delivered. */
export interface FileCheckpoint {
  readonly container: string;
  /** Offset just past the last delivered (or rejected) record; a restart reads from here. */
  readonly offset: number;
  /** Rotated and delivered to its end: kept so a restart does not read it again while it exists. */
  readonly done: boolean;
  /** Where it was last seen (a hint for logs; identity decides). */
  readonly path: string;
  readonly updatedMs: number;
}

/** Docker API stream position: the last delivered timestamp and how many records carried it. */
export interface ApiCheckpoint {
  readonly time: string;
  readonly count: number;
}

interface FileFormat {
  readonly version: 1;
  readonly files: Record<string, FileCheckpoint>;
  readonly api: Record<string, ApiCheckpoint>;
  /**
   * When a collector first ran with this data directory (epoch ms). Optional so files written
   * before it existed still load; such a file gets the time of the first start that reads it.
   */
  readonly firstStartedMs?: number;
}

/** Finished files remembered per container; Docker keeps `max-file` of them, rarely more than a few. */
const DONE_PER_CONTAINER = 32;

/**
 * Per-file positions in one JSON document, written atomically (temp file, fsync, rename) so a
 * crash leaves the previous or the new version, never a torn one. Callers update it only after
 * delivery was acknowledged; `flush` runs on an interval and at shutdown.
 */
export class CheckpointStore {
  private readonly files = new Map<string, FileCheckpoint>();
  private readonly api = new Map<string, ApiCheckpoint>();
  private dirty = false;
  private writing: Promise<void> | undefined;
  private firstStarted: number | undefined;

  constructor(readonly path: string) {}

  /** Loads the file; a missing one is empty. Returns a warning text when it could not be used. */
  async load(): Promise<string | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as Partial<FileFormat>;
      if (parsed.version !== 1 || typeof parsed.files !== 'object' || parsed.files === null) throw new Error('unknown format');
      for (const [k, v] of Object.entries(parsed.files)) if (isFileCheckpoint(v)) this.files.set(k, v);
      for (const [k, v] of Object.entries(parsed.api ?? {})) if (isApiCheckpoint(v)) this.api.set(k, v);
      if (typeof parsed.firstStartedMs === 'number' && Number.isFinite(parsed.firstStartedMs)) this.firstStarted = parsed.firstStartedMs;
      return undefined;
    } catch (err) {
      // Keep the bad file for a post-mortem and start fresh rather than refuse to run.
      await rename(this.path, `${this.path}.corrupt-${Date.now()}`).catch(() => undefined);
      return `checkpoint file unreadable (${(err as Error).message}); starting without checkpoints`;
    }
  }

  /**
   * Since when this node's containers have been ours to ship: the first start recorded in the
   * file, or `nowMs` (recorded from now on) when there is none.
   */
  responsibleSince(nowMs: number): number {
    if (this.firstStarted === undefined) {
      this.firstStarted = nowMs;
      this.dirty = true;
    }
    return this.firstStarted;
  }

  get(key: string): FileCheckpoint | undefined {
    return this.files.get(key);
  }

  set(key: string, cp: FileCheckpoint): void {
    const old = this.files.get(key);
    if (old && old.offset === cp.offset && old.done === cp.done && old.path === cp.path) return;
    this.files.set(key, cp);
    this.dirty = true;
    if (cp.done) this.pruneDone(cp.container);
  }

  delete(key: string): void {
    if (this.files.delete(key)) this.dirty = true;
  }

  /** Checkpoints of one container's files. */
  forContainer(container: string): Array<[string, FileCheckpoint]> {
    return [...this.files].filter(([, cp]) => cp.container === container);
  }

  containers(): Set<string> {
    return new Set([...[...this.files.values()].map((cp) => cp.container), ...this.api.keys()]);
  }

  removeContainer(container: string): void {
    for (const [key, cp] of this.files) if (cp.container === container) this.files.delete(key);
    this.api.delete(container);
    this.dirty = true;
  }

  getApi(container: string): ApiCheckpoint | undefined {
    return this.api.get(container);
  }

  setApi(container: string, cp: ApiCheckpoint): void {
    this.api.set(container, cp);
    this.dirty = true;
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  /** Writes the current state if it changed; concurrent calls share one write. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    const body: FileFormat = {
      version: 1,
      files: Object.fromEntries(this.files),
      api: Object.fromEntries(this.api),
      ...(this.firstStarted === undefined ? {} : { firstStartedMs: this.firstStarted }),
    };
    this.writing = writeAtomically(this.path, JSON.stringify(body));
    try {
      await this.writing;
    } catch (err) {
      this.dirty = true;
      throw err;
    } finally {
      this.writing = undefined;
    }
  }

  private pruneDone(container: string): void {
    const done = this.forContainer(container).filter(([, cp]) => cp.done).sort((a, b) => b[1].updatedMs - a[1].updatedMs);
    for (const [key] of done.slice(DONE_PER_CONTAINER)) this.files.delete(key);
  }
}

/** temp + fsync + rename + fsync(dir): the rename is atomic, the fsyncs make it durable. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

function isFileCheckpoint(v: unknown): v is FileCheckpoint {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return typeof c['container'] === 'string' && typeof c['offset'] === 'number' && typeof c['done'] === 'boolean' && typeof c['path'] === 'string';
}

function isApiCheckpoint(v: unknown): v is ApiCheckpoint {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return typeof c['time'] === 'string' && typeof c['count'] === 'number';
}
