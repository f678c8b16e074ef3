/**
 * The shim's worker process: serves FUSE requests on the /dev/fuse descriptor it inherited from
 * the holder (holder.ts). It can die or be replaced at any time without breaking the mount.
 * Started only by the holder; configuration comes through the environment.
 *
 * Its main thread serves nothing itself: it starts the serving threads (serve-thread.ts; one
 * per CPU by default, like libfuse's multi-threaded loop which lxcfs uses), runs the one load
 * average sampler and publishes its figures, and ends the process when the connection ends or a
 * serving thread fails (the holder then starts a new worker).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { resendPending } from './fuse/session';
import { allocatePool } from './fuse/pool';
import { allocateSnapshots } from './fuse/snapshots';
import { CachedFdFs } from './io/cached-fs';
import { LoadavgSampler } from './loadavg/sampler';
import { LoadavgPublisher, allocateLoadavgBoard } from './loadavg/shared';
import { LOAD_SAMPLE_MS } from './renderers/loadavg';
import type { ShimOptions } from './view/files';
import type { ServeThreadData, ThreadMessage, WorkerMessage } from './worker-env';
import { ENV_FUSE_FD, ENV_OPTIONS, ENV_THREADS } from './worker-env';

function send(msg: WorkerMessage): void {
  process.send?.(msg);
}

function log(msg: string): void {
  console.error(`cargoscope lxcfs-shim worker: ${msg}`);
}

/**
 * Serving threads: one per CPU, at least two so a thread preempted or slow mid-request never stops
 * service. Only one reads /dev/fuse while it keeps up; the other joins when none is idle
 * (fuse/pool.ts). More threads (libfuse grows lxcfs to ~10 with 20 readers) were measured to cost
 * more CPU per read here: 6 threads at 20 readers, stat 2.5× lxcfs's CPU per read against 1.6×.
 */
function defaultThreads(): number {
  return Math.max(2, availableParallelism());
}

function main(): void {
  const fd = Number(process.env[ENV_FUSE_FD]);
  const options = JSON.parse(process.env[ENV_OPTIONS] ?? '{}') as ShimOptions;
  const count = Number(process.env[ENV_THREADS] ?? defaultThreads());
  const fs = new CachedFdFs();
  const sampler = new LoadavgSampler(fs);
  const board = allocateLoadavgBoard();
  const publisher = new LoadavgPublisher(board);
  const snapshots = allocateSnapshots();
  const pool = allocatePool();
  let ending = false;
  const end = (code: number): void => {
    if (ending) return;
    ending = true;
    // Serving threads blocked in read(2) of /dev/fuse cannot be joined; the process exit ends them.
    void fs.closeAll().finally(() => process.exit(code));
  };
  if (options.loadavg) {
    const timer = setInterval(() => {
      void sampler.sampleAll().then(() => publisher.publish(sampler.figures()));
    }, LOAD_SAMPLE_MS);
    timer.unref();
  }
  // Before any thread reads: requests a dead predecessor took but never answered are queued
  // again. A no-op on the first worker.
  const resent = resendPending(fd, (err, where) => log(`${where}: ${String(err)}`));
  for (let index = 0; index < count; index++) {
    const data: ServeThreadData = { fd, options, snapshots, board, pool, index, count };
    const t = new Worker(join(__dirname, 'serve-thread.js'), { workerData: data });
    t.on('message', (m: ThreadMessage) => {
      if (m.type === 'init') send(m);
      else if (m.type === 'loadavg-track') sampler.read(m.cg, m.initPid);
      else if (m.type === 'error') log(`${m.where}: ${m.message}`);
      else end(0); // 'ended': the connection is gone (unmounted), for every thread alike
    });
    t.on('error', (err) => {
      log(`serving thread ${index} failed: ${err.stack ?? err.message}`);
      end(1);
    });
  }
  process.once('SIGTERM', () => end(0));
  process.once('SIGINT', () => end(0));
  // If the holder dies the kernel connection dies with its descriptor; do not linger.
  process.once('disconnect', () => end(0));
  send({ type: 'ready', resent });
}

main();
