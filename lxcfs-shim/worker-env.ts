/** The contract between the holder, its worker processes and their serving threads. */
import type { ControllerDir } from '../core/cgroup';
import type { LoadavgBoardBuffers } from './loadavg/shared';
import type { SnapshotBuffers } from './fuse/snapshots';
import type { ShimOptions } from './view/files';

export const ENV_FUSE_FD = 'CARGOSCOPE_SHIM_FUSE_FD';
export const ENV_OPTIONS = 'CARGOSCOPE_SHIM_OPTIONS';
export const ENV_THREADS = 'CARGOSCOPE_SHIM_THREADS';

/** Messages from a worker to the holder over the IPC channel. */
export type WorkerMessage = { type: 'ready'; resent: boolean } | { type: 'init'; minor: number };

/** What a serving thread is started with (worker_threads workerData). */
export interface ServeThreadData {
  readonly fd: number;
  readonly options: ShimOptions;
  readonly snapshots: SnapshotBuffers;
  readonly board: LoadavgBoardBuffers;
  /** fuse/pool.ts: which threads read /dev/fuse at a time. */
  readonly pool: SharedArrayBuffer;
  readonly index: number;
  readonly count: number;
}

/** Messages from a serving thread to the worker's main thread. */
export type ThreadMessage =
  | { type: 'init'; minor: number }
  | { type: 'loadavg-track'; cg: ControllerDir; initPid: number }
  | { type: 'ended' }
  | { type: 'error'; where: string; message: string };
