import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** What a container's directory under Docker's root tells about its log files. */
export interface ContainerBirth {
  /** When Docker created the directory (statx birth time), if the filesystem records it. */
  readonly bornAtMs: number | undefined;
  /** The json-file driver's `max-file` from `hostconfig.json`, if set and readable. */
  readonly maxFile: number | undefined;
}

/**
 * Read from disk rather than asked of the Docker API: this is needed for pinned containers that
 * discovery has not inspected yet, and Docker writes `hostconfig.json` before the container starts.
 */
export async function containerBirth(logPath: string): Promise<ContainerBirth> {
  const dir = dirname(logPath);
  let bornAtMs: number | undefined;
  try {
    const st = await stat(dir);
    bornAtMs = st.birthtimeMs > 0 ? st.birthtimeMs : undefined;
  } catch {
    bornAtMs = undefined;
  }
  return { bornAtMs, maxFile: await readMaxFile(join(dir, 'hostconfig.json')) };
}

async function readMaxFile(path: string): Promise<number | undefined> {
  try {
    const host = JSON.parse(await readFile(path, 'utf8')) as { LogConfig?: { Config?: Record<string, unknown> } };
    const raw = host.LogConfig?.Config?.['max-file'];
    const n = typeof raw === 'string' ? Number(raw) : NaN;
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

const CONTAINER_ID = /^[0-9a-f]{64}$/;

/**
 * Ids of the container directories under `containersDir` created at or after `sinceMs`: the
 * containers that came (and maybe went) while the collector was down. The directory's birth time
 * decides; where the filesystem records none, `config.v2.json`'s `Created` does.
 */
export async function containersBornSince(containersDir: string, sinceMs: number): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(containersDir);
  } catch {
    return [];
  }
  const born: string[] = [];
  for (const id of names) {
    if (!CONTAINER_ID.test(id)) continue;
    const at = await createdAtMs(join(containersDir, id));
    if (at !== undefined && at >= sinceMs) born.push(id);
  }
  return born;
}

async function createdAtMs(dir: string): Promise<number | undefined> {
  try {
    const st = await stat(dir);
    if (st.birthtimeMs > 0) return st.birthtimeMs;
    const config = JSON.parse(await readFile(join(dir, 'config.v2.json'), 'utf8')) as { Created?: unknown };
    const created = typeof config.Created === 'string' ? Date.parse(config.Created) : NaN;
    return Number.isFinite(created) ? created : undefined;
  } catch {
    return undefined; // removed meanwhile, or not a container's directory
  }
}
