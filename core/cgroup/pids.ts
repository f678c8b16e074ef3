import type { CgroupFs } from './fs';
import type { FileSet } from './files';
import { FileSetReader, readFileSet } from './files';
import type { ControllerDir } from './mounts';
import { parseLimit, parseUint } from './parse';
import type { FileProblem } from './problem';

export interface PidsStats {
  readonly current: number | null;
  /** null = unlimited ("max"). */
  readonly max: number | null;
  readonly problems: readonly FileProblem[];
}

export const PIDS_FILES = ['pids.current', 'pids.max'] as const;

/** Pure. Same file names and formats in v1 and v2 (the root cgroup has neither file). */
export function pidsFromFiles(dir: string, files: FileSet): PidsStats {
  const r = new FileSetReader(files, dir);
  return { current: r.parse('pids.current', parseUint), max: r.parse('pids.max', parseLimit), problems: r.problems };
}

export async function readPids(fs: CgroupFs, cg: ControllerDir): Promise<PidsStats> {
  return pidsFromFiles(cg.dir, await readFileSet(fs, cg.dir, PIDS_FILES));
}
