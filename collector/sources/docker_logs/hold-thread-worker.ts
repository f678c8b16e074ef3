import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { openGenerations } from './held-files';
import type { FromHoldThread, ToHoldThread } from './hold-thread';

/** One watched container log: what was sent already, and how many sent descriptors are unclaimed. */
interface Watched {
  readonly watcher: FSWatcher;
  readonly livePath: string;
  readonly maxGeneration: number;
  /** Descriptors sent and not yet claimed by the main thread stay below this (the fd bound). */
  readonly maxInFlight: number;
  inFlight: number;
  /** Files sent once (device, inode and birth: inodes are reused) are not opened again. */
  readonly sent: Set<string>;
  /** Adjacency already reported, newer → older: only news is sent. */
  readonly reported: Map<string, string>;
}

const port = parentPort;
const watched = new Map<number, Watched>();

function send(m: FromHoldThread): void {
  port?.postMessage(m);
}

function trim<K>(keys: { size: number; keys(): IterableIterator<K>; delete(k: K): boolean }, max: number): void {
  while (keys.size > max) keys.delete(keys.keys().next().value as K);
}

/**
 * A skipped file (bound reached, or renamed away between open and check) is not lost silently: its
 * successor then has no proven older neighbour and the follower counts the gap.
 */
function look(token: number, w: Watched): void {
  const snapshot = openGenerations(w.livePath, w.maxGeneration, (f) => {
    const key = `${f.devIno}@${f.birthNs}`;
    if (w.sent.has(key) || w.inFlight >= w.maxInFlight) return false;
    w.sent.add(key);
    w.inFlight++;
    return true;
  });
  const news = snapshot.adjacent.filter(([newer, older]) => w.reported.get(newer) !== older);
  for (const [newer, older] of news) w.reported.set(newer, older);
  const bound = 4 * (w.maxGeneration + 1);
  trim(w.sent, bound);
  trim(w.reported, bound);
  if (snapshot.opened.length > 0 || news.length > 0) send({ type: 'held', token, snapshot: { opened: snapshot.opened, adjacent: news } });
}

function start(m: Extract<ToHoldThread, { type: 'watch' }>): void {
  let watcher: FSWatcher;
  try {
    // Only renames: appends ('change') are the main thread's to wake its read loop on.
    watcher = watch(dirname(m.livePath), (event) => {
      const w = watched.get(m.token);
      if (event === 'rename' && w) safeLook(m.token, w);
    });
  } catch (err) {
    send({ type: 'watch_failed', token: m.token, message: (err as Error).message });
    return;
  }
  watcher.on('error', (err) => {
    stopWatching(m.token);
    send({ type: 'watch_failed', token: m.token, message: err.message });
  });
  const w: Watched = { watcher, livePath: m.livePath, maxGeneration: m.maxGeneration, maxInFlight: m.maxInFlight, inFlight: 0, sent: new Set(), reported: new Map() };
  watched.set(m.token, w);
  safeLook(m.token, w);
}

function safeLook(token: number, w: Watched): void {
  try {
    look(token, w);
  } catch (err) {
    // Reported, not fatal: the next rename (or the main thread's own look) tries again.
    send({ type: 'look_failed', token, message: (err as Error).message });
  }
}

function stopWatching(token: number): void {
  watched.get(token)?.watcher.close();
  watched.delete(token);
}

port?.on('message', (m: ToHoldThread) => {
  if (m.type === 'watch') start(m);
  else if (m.type === 'unwatch') stopWatching(m.token);
  else if (m.type === 'released') {
    const w = watched.get(m.token);
    if (w) w.inFlight = Math.max(0, w.inFlight - m.count);
  } else {
    for (const token of [...watched.keys()]) stopWatching(token);
    send({ type: 'stopped' });
  }
});
