/**
 * lxcfs-shim: a FUSE filesystem that answers /proc/meminfo, cpuinfo, stat, uptime, loadavg,
 * diskstats, swaps and /sys/devices/system/cpu/online for the cgroup of the reading process.
 * See README.md for formulas, deployment and the differences from lxcfs.
 */
import type { ShimHandle } from './holder';
import { startHolder } from './holder';
import type { ShimOptions } from './view/files';
import { DEFAULT_SHIM_OPTIONS, SHIM_FILES } from './view/files';

export type { ShimHandle } from './holder';
export type { ShimFile, ShimOptions } from './view/files';
export { DEFAULT_SHIM_OPTIONS, SHIM_FILES } from './view/files';
export { ViewRenderer } from './view/render';

import { DEFAULT_MOUNT_DIR } from './mount-dir';

export { DEFAULT_MOUNT_DIR } from './mount-dir';

export interface RunShimOptions {
  readonly mountDir?: string;
  readonly options?: Partial<ShimOptions>;
  /** Serving threads per worker (default: one per CPU, at least 2). */
  readonly threads?: number;
  readonly log?: (msg: string) => void;
}

/** Mounts the shim and keeps a worker serving it; the handle stops it. For embedding and tests. */
export async function startShim(o: RunShimOptions = {}): Promise<ShimHandle> {
  return startHolder({
    mountDir: o.mountDir ?? DEFAULT_MOUNT_DIR,
    options: { ...DEFAULT_SHIM_OPTIONS, ...o.options },
    threads: o.threads,
    log: o.log,
  });
}

/**
 * `cargoscope lxcfs-shim [--mount DIR]`: runs until SIGTERM/SIGINT, then unmounts cleanly.
 * SIGHUP replaces the worker process (e.g. after an upgrade) without unmounting.
 */
export async function runShim(o: RunShimOptions = {}): Promise<void> {
  const shim = await startShim(o);
  const stop = (): void => void shim.stop();
  const hup = (): void => shim.restartWorker();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', hup);
  try {
    await shim.ready;
    await shim.done;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    process.off('SIGHUP', hup);
  }
}

/** `cargoscope lxcfs-shim docker-args`: the -v flags that put the shim's files into a container. */
export function dockerArgs(mountDir: string = DEFAULT_MOUNT_DIR): string[] {
  const base = mountDir.endsWith('/') ? mountDir.slice(0, -1) : mountDir;
  return SHIM_FILES.flatMap((f) => ['-v', `${base}${f.path}:${f.path}:ro`]);
}
