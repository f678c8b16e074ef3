/**
 * A serving thread of the worker process (worker-main.ts starts several): serves FUSE requests
 * from the shared /dev/fuse descriptor with its own renderer and kept descriptors. Snapshots of
 * open handles are shared (any thread may get the READ of a handle another opened); load
 * averages come from the main thread's sampler through shared memory.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { ServePool } from './fuse/pool';
import { FuseSession } from './fuse/session';
import { ShimFuseServer } from './fuse/server';
import { SnapshotStore } from './fuse/snapshots';
import { CachedFdFs } from './io/cached-fs';
import { ProcPidGuard } from './io/proc-pid';
import { RemoteLoadavg } from './loadavg/shared';
import { ViewRenderer } from './view/render';
import type { ServeThreadData, ThreadMessage } from './worker-env';

function post(m: ThreadMessage): void {
  parentPort?.postMessage(m);
}

async function serve(d: ServeThreadData): Promise<void> {
  const procGuard = new ProcPidGuard();
  await procGuard.start();
  const fs = new CachedFdFs(2048, procGuard);
  const loadavg = d.options.loadavg ? new RemoteLoadavg(d.board, post) : undefined;
  const renderer = new ViewRenderer({ fs, options: d.options, loadavg, procGuard, readNow: (path) => fs.readTextNow(path) });
  // The server needs the session to send notifications and the session needs the server.
  const link: { session?: FuseSession } = {};
  const server = new ShimFuseServer(
    (file, pid) => renderer.render(file, pid),
    (init) => post({ type: 'init', minor: init.minor }),
    (message) => void link.session?.notify(message),
    new SnapshotStore(d.snapshots, d.index, d.count),
    (file, pid) => renderer.renderNow(file, pid),
  );
  const session = new FuseSession(d.fd, server, {
    pool: new ServePool(d.pool, d.index),
    onError: (err, where) => post({ type: 'error', where, message: err instanceof Error ? err.message : String(err) }),
  });
  link.session = session;
  await session.run();
  post({ type: 'ended' });
}

serve(workerData as ServeThreadData).catch((err: unknown) => {
  post({ type: 'error', where: 'serving thread', message: err instanceof Error ? err.stack ?? err.message : String(err) });
  // Rethrown, it ends this thread with an error; the main thread then ends the whole worker and
  // the holder starts a new one, which asks the kernel to resend what this thread had taken.
  throw err;
});
