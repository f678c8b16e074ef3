import type { CgroupFs } from './fs';
import type { FileSet } from './files';
import { FileSetReader, readFileSet } from './files';
import type { ControllerDir } from './mounts';
import type { DeviceIo } from './parse';
import { parseBlkioLines, parseIoStat } from './parse';
import type { FileProblem } from './problem';

export interface BlkioStats {
  readonly version: 1 | 2;
  /** Per device, in the order the kernel listed them. */
  readonly devices: readonly DeviceIo[];
  /** Which file the v1 numbers came from (the recursive variant includes child cgroups). */
  readonly source: string | null;
  readonly problems: readonly FileProblem[];
}

export const BLKIO_V1_FILES = [
  'blkio.throttle.io_service_bytes_recursive', 'blkio.throttle.io_serviced_recursive',
  'blkio.throttle.io_service_bytes', 'blkio.throttle.io_serviced',
] as const;
export const BLKIO_V2_FILES = ['io.stat'] as const;

/**
 * Pure. v1: the throttle files are the ones every modern kernel keeps (the CFQ/BFQ
 * blkio.io_serviced_recursive family that lxcfs reads is gone with CFQ), recursive preferred.
 */
export function blkioFromFiles(version: 1 | 2, dir: string, files: FileSet): BlkioStats {
  const r = new FileSetReader(files, dir);
  if (version === 2) {
    const devices = r.parse('io.stat', parseIoStat);
    return { version, devices: devices ?? [], source: devices === null ? null : 'io.stat', problems: r.problems };
  }
  for (const suffix of ['_recursive', '']) {
    const bytesName = `blkio.throttle.io_service_bytes${suffix}`;
    const opsName = `blkio.throttle.io_serviced${suffix}`;
    const bytes = files.get(bytesName);
    const ops = files.get(opsName);
    if (bytes?.ok !== true || ops?.ok !== true) continue;
    const into = new Map<string, DeviceIo>();
    if (!parseBlkioLines(bytes.text, 'bytes', into) || !parseBlkioLines(ops.text, 'ops', into)) {
      return { version, devices: [], source: null, problems: [{ file: `${dir}/${bytesName}`, reason: 'malformed', detail: 'unexpected line' }] };
    }
    return { version, devices: [...into.values()], source: bytesName, problems: [] };
  }
  r.text('blkio.throttle.io_service_bytes');
  r.text('blkio.throttle.io_serviced');
  return { version, devices: [], source: null, problems: r.problems };
}

export async function readBlkio(fs: CgroupFs, cg: ControllerDir): Promise<BlkioStats> {
  const names = cg.version === 2 ? BLKIO_V2_FILES : BLKIO_V1_FILES;
  return blkioFromFiles(cg.version, cg.dir, await readFileSet(fs, cg.dir, names));
}
