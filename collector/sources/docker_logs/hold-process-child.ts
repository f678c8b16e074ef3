import { closeSync, watch, type FSWatcher } from 'node:fs';
import { setPriority } from 'node:os';
import { dirname } from 'node:path';
import { openGenerations } from './held-files';
import type { FromHoldProcess, NicenessOutcome, ToHoldProcess } from './hold-process';

/**
 * The hold process (hold-process.ts): watches container log directories, opens every rotated file
 * the moment a rename is reported, and keeps it open until the collector says it has its own
 * descriptor. Runs as a child of the collector, talking over the IPC channel; it exits when that
 * channel closes, so a collector that is killed never leaves it holding deleted files.
 */

/** The strongest niceness: see raisePriority. */
const HOLD_PROCESS_NICENESS = -20;

/** One watched container log: what was sent already, and which of our descriptors the collector has yet to take. */
interface Watched {
  readonly watcher: FSWatcher;
  readonly livePath: string;
  readonly maxGeneration: number;
  /** Descriptors sent and not yet released stay below this (the fd bound). */
  readonly maxInFlight: number;
  /** Held for the collector: closed when it releases them, or when the watch ends. */
  readonly inFlight: Set<number>;
  /** Files sent once (device, inode and birth: inodes are reused) are not opened again. */
  readonly sent: Set<string>;
  /** Adjacency already reported, newer → older: only news is sent. */
  readonly reported: Map<string, string>;
}

const watched = new Map<number, Watched>();

function send(m: FromHoldProcess): void {
  // A collector that is gone cannot be told; 'disconnect' ends this process.
  if (process.connected) process.send?.(m, undefined, {}, () => undefined);
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
    if (w.sent.has(key) || w.inFlight.size >= w.maxInFlight) return false;
    w.sent.add(key);
    w.inFlight.add(f.fd);
    return true;
  });
  const news = snapshot.adjacent.filter(([newer, older]) => w.reported.get(newer) !== older);
  for (const [newer, older] of news) w.reported.set(newer, older);
  const bound = 4 * (w.maxGeneration + 1);
  trim(w.sent, bound);
  trim(w.reported, bound);
  if (snapshot.opened.length > 0 || news.length > 0) send({ type: 'held', token, snapshot: { opened: snapshot.opened, adjacent: news } });
}

function start(m: Extract<ToHoldProcess, { type: 'watch' }>): void {
  let watcher: FSWatcher;
  try {
    // Only renames: appends ('change') are the collector's to wake its read loop on.
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
  const w: Watched = { watcher, livePath: m.livePath, maxGeneration: m.maxGeneration, maxInFlight: m.maxInFlight, inFlight: new Set(), sent: new Set(), reported: new Map() };
  watched.set(m.token, w);
  safeLook(m.token, w);
}

function safeLook(token: number, w: Watched): void {
  try {
    look(token, w);
  } catch (err) {
    // Reported, not fatal: the next rename (or the collector's own look) tries again.
    send({ type: 'look_failed', token, message: (err as Error).message });
  }
}

/** Closes what the collector (or the end of a watch) lets go of; a number not held is skipped, never closed twice. */
function release(fds: Iterable<number>, held: Set<number>): void {
  for (const fd of fds) {
    if (held.delete(fd)) closeSync(fd);
  }
}

function stopWatching(token: number): void {
  const w = watched.get(token);
  if (!w) return;
  w.watcher.close();
  // The collector may still be taking these: a release that arrives later finds no watch to close from.
  release([...w.inFlight], w.inFlight);
  watched.delete(token);
}

/**
 * Asks for a strong scheduling priority (Linux: setpriority on this process's only JS thread).
 * What decides a loss is how soon the process runs after a rename, not how much CPU it gets: its
 * work is a few opens per rotation. Without CAP_SYS_NICE it keeps the collector's priority.
 */
function raisePriority(niceness: number): NicenessOutcome {
  try {
    setPriority(process.pid, niceness);
    return { raised: true, niceness };
  } catch (err) {
    return { raised: false, reason: (err as Error).message };
  }
}

function stopAll(): void {
  for (const token of [...watched.keys()]) stopWatching(token);
  process.exit(0);
}

process.on('message', (m: ToHoldProcess) => {
  if (m.type === 'watch') start(m);
  else if (m.type === 'unwatch') stopWatching(m.token);
  else if (m.type === 'released') {
    const w = watched.get(m.token);
    if (w) release(m.fds, w.inFlight);
  }
  else stopAll();
});
// The collector ended (or was killed): nothing is left to hold for.
process.on('disconnect', stopAll);

send({ type: 'ready', niceness: raisePriority(HOLD_PROCESS_NICENESS) });
