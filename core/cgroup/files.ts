import type { CgroupFs } from './fs';
import type { FileProblem, FileRead } from './problem';
import { malformed } from './problem';

/** The raw texts of a set of files in one cgroup directory, keyed by file name. */
export type FileSet = ReadonlyMap<string, FileRead>;

/** Reads all `names` in `dir` concurrently: one slow file must not serialise the rest. */
export async function readFileSet(fs: CgroupFs, dir: string, names: readonly string[]): Promise<FileSet> {
  const reads = await Promise.all(names.map((n) => fs.readText(`${dir}/${n}`)));
  const out = new Map<string, FileRead>();
  names.forEach((n, i) => out.set(n, reads[i] as FileRead));
  return out;
}

/**
 * Collects problems while pure code pulls typed values out of a FileSet. A file that is absent
 * from the set (never asked for) yields null without a problem: v1 and v2 ask for different files.
 */
export class FileSetReader {
  readonly problems: FileProblem[] = [];

  constructor(
    private readonly files: FileSet,
    private readonly dir: string,
  ) {}

  /** The text of `name`, or undefined (problem recorded) when it could not be read. */
  text(name: string): string | undefined {
    const f = this.files.get(name);
    if (f === undefined) return undefined;
    if (!f.ok) {
      this.problems.push(f.problem);
      return undefined;
    }
    return f.text;
  }

  /** Applies a parser; a parse failure is recorded as `malformed` and yields null. */
  parse<T>(name: string, parser: (text: string) => T | undefined): T | null {
    const t = this.text(name);
    if (t === undefined) return null;
    const v = parser(t);
    if (v === undefined) {
      this.problems.push(malformed(`${this.dir}/${name}`, `unexpected text ${JSON.stringify(t.slice(0, 80))}`));
      return null;
    }
    return v;
  }
}
