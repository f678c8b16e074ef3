/**
 * The shim's worker process: serves FUSE requests on the /dev/fuse descriptor it inherited from
 * the holder (holder.ts). It can die or be replaced at any time without breaking the mount.
 * Started only by the holder; configuration comes through the environment.
 */
import { FuseSession } from './fuse/session';
import { ShimFuseServer } from './fuse/server';
import { CachedFdFs } from './io/cached-fs';
import { LoadavgSampler } from './loadavg/sampler';
import type { ShimOptions } from './view/files';
import { ViewRenderer } from './view/render';
import type { WorkerMessage } from './worker-env';
import { DEFAULT_PARKED_READS, ENV_FUSE_FD, ENV_OPTIONS, ENV_READERS } from './worker-env';


function send(msg: WorkerMessage): void {
  process.send?.(msg);
}

async function main(): Promise<void> {
  const fd = Number(process.env[ENV_FUSE_FD]);
  const options = JSON.parse(process.env[ENV_OPTIONS] ?? '{}') as ShimOptions;
  const fs = new CachedFdFs();
  const loadavg = new LoadavgSampler(fs);
  if (options.loadavg) loadavg.start();
  const renderer = new ViewRenderer({ fs, options, loadavg });
  // The server needs the session to send notifications and the session needs the server.
  const link: { session?: FuseSession } = {};
  const server = new ShimFuseServer(
    (file, pid) => renderer.render(file, pid),
    (init) => send({ type: 'init', minor: init.minor }),
    (message) => void link.session?.notify(message),
  );
  const session = new FuseSession(fd, server, {
    readers: Number(process.env[ENV_READERS] ?? DEFAULT_PARKED_READS),
    onError: (err, where) => console.error(`cargoscope lxcfs-shim worker: ${where}:`, err),
  });
  link.session = session;
  const stop = (): void => session.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // If the holder dies the kernel connection dies with its descriptor; do not linger.
  process.once('disconnect', stop);
  // Before reading anything: requests a dead predecessor took but never answered are queued
  // again. A no-op on the first worker.
  const resent = session.resendPending();
  send({ type: 'ready', resent });
  await session.run();
  loadavg.stop();
  renderer.close();
  await fs.closeAll();
  // Reads still parked on /dev/fuse keep threadpool threads busy forever; leave explicitly.
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error('cargoscope lxcfs-shim worker failed:', err);
  process.exit(1);
});
