import { closeSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Snapshot } from './held-files';

/** Main thread → hold thread. */
export type ToHoldThread =
  | { readonly type: 'watch'; readonly token: number; readonly livePath: string; readonly maxGeneration: number; readonly maxInFlight: number }
  | { readonly type: 'unwatch'; readonly token: number }
  /** The main thread owns `count` more of the descriptors sent for `token` (held or closed). */
  | { readonly type: 'released'; readonly token: number; readonly count: number }
  | { readonly type: 'stop' };

/** Hold thread → main thread. */
export type FromHoldThread =
  | { readonly type: 'held'; readonly token: number; readonly snapshot: Snapshot }
  | { readonly type: 'watch_failed' | 'look_failed'; readonly token: number; readonly message: string }
  | { readonly type: 'stopped' };

export interface HoldThreadEvents {
  /** The thread could not start or died: the watcher callbacks of the main thread still hold files. */
  failed(err: unknown): void;
  /** A container's directory could not be watched there (`watch_failed`), or one look at it failed. */
  problem(kind: 'watch_failed' | 'look_failed', livePath: string, message: string): void;
}

type Receiver = (snapshot: Snapshot) => void;

/**
 * One worker thread per source that opens rotated log files the moment inotify reports a rename.
 * The main thread's event loop can lag by tens of milliseconds behind parsing, compression and the
 * Kafka client at full speed; Docker deletes a 1 MiB file a few rotations later, so a file the
 * watcher callback reaches late is gone. The hold thread does nothing else, and descriptors are
 * the process's: it opens, sends the numbers, and the follower's holder owns them from then on.
 * Started on the first watch, so a node without json-file containers never pays for it.
 */
export class HoldThread {
  private worker: Worker | undefined;
  private dead = false;
  private nextToken = 1;
  private readonly receivers = new Map<number, { livePath: string; receive: Receiver }>();
  private stopped: Promise<void> | undefined;

  constructor(private readonly events: HoldThreadEvents) {}

  /** Watches the directory of `livePath`; returns the token to unwatch it with (undefined: no thread). */
  watch(livePath: string, maxGeneration: number, maxInFlight: number, receive: Receiver): number | undefined {
    const worker = this.ensureWorker();
    if (!worker) return undefined;
    const token = this.nextToken++;
    this.receivers.set(token, { livePath, receive });
    this.post({ type: 'watch', token, livePath, maxGeneration, maxInFlight });
    return token;
  }

  /** Files sent for the token after this are closed on arrival. */
  unwatch(token: number): void {
    if (!this.receivers.delete(token)) return;
    this.post({ type: 'unwatch', token });
  }

  /** Stops the thread once every descriptor it sent has arrived (and been closed), or after `timeoutMs`. */
  close(timeoutMs = 1000): Promise<void> {
    this.receivers.clear();
    const worker = this.worker;
    if (!worker) return Promise.resolve();
    this.stopped ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => void worker.terminate().then(() => resolve()), timeoutMs);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.post({ type: 'stop' });
    });
    return this.stopped;
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker || this.dead) return this.worker;
    try {
      // Node closes the raw descriptors a worker opened when it exits (trackUnmanagedFds): these are
      // the main thread's once sent, and closing them again would close whatever reused the number.
      const worker = new Worker(join(__dirname, 'hold-thread-worker.js'), { trackUnmanagedFds: false });
      worker.on('message', (m: FromHoldThread) => this.onMessage(m));
      worker.on('error', (err) => this.die(err));
      worker.on('exit', (code) => {
        if (!this.stopped) this.die(new Error(`hold thread exited with code ${code}`));
      });
      // The thread serves the tailers; it must not keep a finished process alive.
      worker.unref();
      this.worker = worker;
    } catch (err) {
      this.die(err);
    }
    return this.worker;
  }

  private die(err: unknown): void {
    if (this.dead) return;
    this.dead = true;
    this.worker = undefined;
    this.receivers.clear();
    this.events.failed(err);
  }

  private onMessage(m: FromHoldThread): void {
    if (m.type === 'held') {
      const r = this.receivers.get(m.token);
      if (r) r.receive(m.snapshot);
      else for (const f of m.snapshot.opened) closeSync(f.fd);
      if (m.snapshot.opened.length > 0) this.post({ type: 'released', token: m.token, count: m.snapshot.opened.length });
    } else if (m.type === 'stopped') {
      void this.worker?.terminate();
    } else {
      const r = this.receivers.get(m.token);
      if (m.type === 'watch_failed') this.receivers.delete(m.token);
      if (r) this.events.problem(m.type, r.livePath, m.message);
    }
  }

  private post(m: ToHoldThread): void {
    this.worker?.postMessage(m);
  }
}
