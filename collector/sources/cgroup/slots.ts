import { parseFlatKeyed, parseInt64, parseLimit, parseUint, type FileProblem, type FileRead } from '../../../core/cgroup';
import { FALLBACK, scanFlatKeyed, scanInt, scanLimit, scanUint, type KeyTable } from './scan';

/**
 * Reads a whole file into a buffer the reader owns: the scrape's OpenFileCache (one pread into a
 * reused buffer), or recorded texts in golden tests (TextByteReader).
 */
export interface ByteReader {
  /** The file's length, its bytes being `buffer[0, n)` until the next read; -1: see `problem`. */
  readBytes(path: string): number;
  readonly buffer: Buffer;
  readonly problem: FileProblem | undefined;
}

/** A ByteReader over a `(path) => FileRead` function, so recorded texts take the scrape's own path. */
export class TextByteReader implements ByteReader {
  buffer = Buffer.alloc(0);
  problem: FileProblem | undefined;

  constructor(private readonly readText: (path: string) => FileRead) {}

  readBytes(path: string): number {
    const f = this.readText(path);
    if (!f.ok) {
      this.problem = f.problem;
      return -1;
    }
    this.buffer = Buffer.from(f.text, 'utf8');
    return this.buffer.length;
  }
}

/** How a slot's text is turned into values, each kind mirroring one core/cgroup parser. */
export type SlotKind = 'uint' | 'int' | 'limit' | 'text' | KeyTable;

/**
 * One planned file of one container run, with its last reading kept as numbers. A slot that was
 * never read (a spec file not yet due) yields null without a problem, like a file absent from a
 * core FileSet; a spec slot keeps its values and its problem until it is read again, as the
 * FileSet maps of the text path did.
 */
export class FileSlot {
  problem: FileProblem | undefined;
  private loaded = false;
  /** uint / int / limit (null: unlimited or no reading). */
  private num: number | null = null;
  /** Keyed files: values by KeyTable index, NaN where the key is absent. */
  readonly values: Float64Array;
  /** Text slots: the FileRead, for the core parsers that take text (blkio, io.stat, cpu.max). */
  textRead: FileRead | undefined;

  constructor(
    readonly name: string,
    readonly path: string,
    private readonly kind: SlotKind,
  ) {
    this.values = new Float64Array(typeof kind === 'object' ? kind.keys.length : 0);
  }

  load(reader: ByteReader): void {
    this.loaded = true;
    const n = reader.readBytes(this.path);
    if (n < 0) {
      this.problem = reader.problem;
      this.num = null;
      this.values.fill(NaN);
      this.textRead = this.problem ? { ok: false, problem: this.problem } : undefined;
      return;
    }
    this.problem = undefined;
    const buf = reader.buffer;
    if (this.kind === 'text') this.textRead = { ok: true, text: buf.toString('utf8', 0, n) };
    else if (typeof this.kind === 'object') {
      if (!scanFlatKeyed(buf, n, this.kind, this.values)) this.keyedFromText(buf.toString('utf8', 0, n), this.kind);
    } else {
      const fast = this.kind === 'uint' ? scanUint(buf, n) : this.kind === 'int' ? scanInt(buf, n) : scanLimit(buf, n);
      this.num = fast === FALLBACK ? this.numFromText(buf.toString('utf8', 0, n)) : fast;
    }
  }

  /** Read, and neither unreadable nor malformed. */
  get ok(): boolean {
    return this.loaded && this.problem === undefined;
  }

  /** The number, or null (unread, unreadable, malformed, or an unlimited limit). */
  value(): number | null {
    return this.ok ? this.num : null;
  }

  /** A key of a keyed file, or undefined (absent key, or no good reading), as `Map.get` gives. */
  key(index: number): number | undefined {
    if (!this.ok) return undefined;
    const v = this.values[index] as number;
    return Number.isNaN(v) ? undefined : v;
  }

  private numFromText(text: string): number | null {
    const parsed = this.kind === 'uint' ? parseUint(text) : this.kind === 'int' ? parseInt64(text) : parseLimit(text);
    if (parsed === undefined) this.markMalformed(text);
    return parsed ?? null;
  }

  private keyedFromText(text: string, table: KeyTable): void {
    const parsed = parseFlatKeyed(text);
    if (!parsed) {
      this.markMalformed(text);
      return;
    }
    table.keys.forEach((k, i) => {
      this.values[i] = parsed.get(k) ?? NaN;
    });
  }

  /** The problem core's FileSetReader records for text its parser rejects. */
  markMalformed(text: string): void {
    this.problem = { file: this.path, reason: 'malformed', detail: `unexpected text ${JSON.stringify(text.slice(0, 80))}` };
  }
}

/** Appends the problems of `slots` to `into`, leaving out missing files that are optional. */
export function collectProblems(slots: readonly FileSlot[], into: FileProblem[], optional?: ReadonlySet<string>): void {
  for (const s of slots) {
    if (s.problem && !(s.problem.reason === 'missing' && optional?.has(s.name))) into.push(s.problem);
  }
}
