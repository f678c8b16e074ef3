import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

import { isMountPoint, mountFuse, unmount } from './mount';
import type { ShimOptions } from './view/files';
import type { WorkerMessage } from './worker-env';
import { ENV_FUSE_FD, ENV_OPTIONS, ENV_THREADS } from './worker-env';

export interface HolderOptions {
  readonly mountDir: string;
  readonly options: ShimOptions;
  /** Serving threads per worker (default: one per CPU, at least 2). */
  readonly threads?: number;
  /** libuv threadpool of the worker: a parked read per busy serving thread, plus the reads of renders. */
  readonly threadpoolSize?: number;
  readonly log?: (msg: string) => void;
}

export interface ShimHandle {
  /** Resolves once the first worker is serving. */
  readonly ready: Promise<void>;
  /** Resolves when the holder has unmounted and stopped. */
  readonly done: Promise<void>;
  /** The current worker's pid (changes on restart). */
  workerPid(): number | undefined;
  /** Replaces the worker (upgrade): the new one is started after the old one has exited. */
  restartWorker(): void;
  /** Stops the worker and unmounts. Idempotent. */
  stop(): Promise<void>;
}

/** The worker's descriptor number: stdio 0-2, 3 is the IPC channel, 4 is /dev/fuse. */
const WORKER_FUSE_FD = 4;
const MAX_BACKOFF_MS = 5000;

/**
 * The holder: opens /dev/fuse, mounts it, and keeps a worker process serving it. The holder
 * owns the descriptor, so the kernel connection (and every container's bind mount of our files)
 * lives as long as the holder does; when a worker dies, requests wait in the kernel's queue until
 * the next worker, which first asks the kernel to resend what the dead one had taken.
 */
export async function startHolder(h: HolderOptions): Promise<ShimHandle> {
  const log = h.log ?? ((m: string) => console.error(`cargoscope lxcfs-shim: ${m}`));
  if (await isMountPoint(h.mountDir)) {
    log(`${h.mountDir} is already mounted (stale?); unmounting it first`);
    await unmount(h.mountDir);
  }
  mkdirSync(h.mountDir, { recursive: true });
  // Opening /dev/fuse and mounting happen once, at start, before anything can read the mount.
  const fuseFd = openSync('/dev/fuse', 'r+');
  try {
    await mountFuse(fuseFd, h.mountDir);
  } catch (err) {
    closeSync(fuseFd);
    throw err;
  }
  return new Holder(h, fuseFd, log).start();
}

class Holder implements ShimHandle {
  private worker: ChildProcess | undefined;
  private stopping = false;
  private replacing = false;
  private failures = 0;
  private resolveReady!: () => void;
  private resolveDone!: () => void;
  readonly ready = new Promise<void>((r) => (this.resolveReady = r));
  readonly done = new Promise<void>((r) => (this.resolveDone = r));
  private stopPromise: Promise<void> | undefined;

  constructor(
    private readonly h: HolderOptions,
    private readonly fuseFd: number,
    private readonly log: (m: string) => void,
  ) {}

  start(): this {
    this.spawnWorker();
    return this;
  }

  workerPid(): number | undefined {
    return this.worker?.pid;
  }

  restartWorker(): void {
    if (this.worker === undefined || this.stopping) return;
    this.replacing = true;
    this.worker.kill('SIGTERM');
  }

  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    this.stopping = true;
    // Unmount while the worker still serves: umount(8) stats the mount point, which only a
    // live worker can answer. Once the superblock is gone the kernel ends the connection and
    // the worker's reads fail with ENODEV, so it exits by itself; SIGTERM covers the rest.
    await unmount(this.h.mountDir).catch((err: unknown) => this.log(`unmount failed: ${String(err)}`));
    const w = this.worker;
    if (w !== undefined && w.exitCode === null && w.signalCode === null) {
      const exited = new Promise<void>((r) => w.once('exit', () => r()));
      w.kill('SIGTERM');
      await exited;
    }
    closeSync(this.fuseFd);
    this.resolveDone();
  }

  private spawnWorker(): void {
    const w = fork(join(__dirname, 'worker-main.js'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc', this.fuseFd],
      env: {
        ...process.env,
        [ENV_FUSE_FD]: String(WORKER_FUSE_FD),
        [ENV_OPTIONS]: JSON.stringify(this.h.options),
        ...(this.h.threads === undefined ? {} : { [ENV_THREADS]: String(this.h.threads) }),
        UV_THREADPOOL_SIZE: String(this.h.threadpoolSize ?? 16),
      },
    });
    this.worker = w;
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') {
        this.failures = 0;
        if (!m.resent) this.log('kernel lacks FUSE_NOTIFY_RESEND: requests taken by a dead worker will hang until interrupted');
        this.resolveReady();
      }
    });
    w.once('exit', (code, signal) => this.onWorkerExit(w, code, signal));
  }

  private onWorkerExit(w: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.worker !== w || this.stopping) return;
    this.worker = undefined;
    const planned = this.replacing;
    this.replacing = false;
    if (!planned) {
      this.failures++;
      this.log(`worker ${w.pid} exited (${signal ?? code}); starting a new one`);
    }
    // Back off only on repeated crashes, so one crash costs the readers almost nothing.
    const delay = this.failures <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, 50 * 2 ** this.failures);
    setTimeout(() => {
      if (!this.stopping) this.spawnWorker();
    }, delay); // not unref()d: during the gap it is what keeps the holder alive
  }
}
