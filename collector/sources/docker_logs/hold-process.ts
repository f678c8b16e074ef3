import { type ChildProcess, fork } from 'node:child_process';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenedFile, Snapshot } from './held-files';

/** Collector → hold process. */
export type ToHoldProcess =
  | { readonly type: 'watch'; readonly token: number; readonly livePath: string; readonly maxGeneration: number; readonly maxInFlight: number }
  | { readonly type: 'unwatch'; readonly token: number }
  /** The collector has its own descriptors for these (or wants none): the hold process closes its copies. */
  | { readonly type: 'released'; readonly token: number; readonly fds: readonly number[] }
  | { readonly type: 'stop' };

/** Hold process → collector. Descriptor numbers in `held` are the hold process's own. */
export type FromHoldProcess =
  /** Its modules are loaded and its loop runs: a watch posted now is served at once. */
  | { readonly type: 'ready'; readonly niceness: NicenessOutcome }
  | { readonly type: 'held'; readonly token: number; readonly snapshot: Snapshot }
  | { readonly type: 'watch_failed' | 'look_failed'; readonly token: number; readonly message: string };

/** What raising the hold process's scheduling priority gave: the niceness it runs at, or why it kept its own. */
export type NicenessOutcome = { readonly raised: true; readonly niceness: number } | { readonly raised: false; readonly reason: string };

export interface HoldProcessEvents {
  /** The process could not start or died: the watcher callbacks of the collector still hold files. */
  failed(err: unknown): void;
  /** A container's directory could not be watched there (`watch_failed`), or one look at it failed. */
  problem(kind: 'watch_failed' | 'look_failed', livePath: string, message: string): void;
  /** It runs; `niceness` says whether it got the priority it asked for (CAP_SYS_NICE). */
  ready?(niceness: NicenessOutcome): void;
}

type Receiver = (snapshot: Snapshot) => void;

/**
 * A small child process per source that opens rotated log files the moment inotify reports a
 * rename and keeps them open until the collector has descriptors of its own (opened through
 * `/proc/<child>/fd/N`, which works after Docker unlinked the file). Docker deletes a 1 MiB file a
 * few rotations after creating it, so at full speed what decides a loss is how soon anything
 * opens it. A worker thread inside the collector did this before and still lost files on a loaded
 * 2-core node: it sat in futex waits for 150–250 ms at a time (sampled from /proc), behind what it
 * shares with the busy main isolate (V8's platform helper threads), even at nice -20. A process of
 * its own shares nothing with the collector, and runs V8 without helper threads (see ensureChild).
 * Started with the source (`start`), so it serves the first container's watch at once.
 */
export class HoldProcess {
  private child: ChildProcess | undefined;
  private dead = false;
  private nextToken = 1;
  private readonly receivers = new Map<number, { livePath: string; receive: Receiver }>();
  private stopped: Promise<void> | undefined;
  private ready: Promise<void> | undefined;
  private markReady: (() => void) | undefined;

  constructor(private readonly events: HoldProcessEvents) {}

  /** The hold process's pid, while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Starts the process and resolves once it serves watches, or after `timeoutMs` (then watches
   * queue until it does; the watcher callbacks of the collector hold files meanwhile).
   */
  start(timeoutMs = 10_000): Promise<void> {
    if (!this.ensureChild()) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    return Promise.race([this.ready as Promise<void>, timeout]).finally(() => clearTimeout(timer));
  }

  /** Watches the directory of `livePath`; returns the token to unwatch it with (undefined: no process). */
  watch(livePath: string, maxGeneration: number, maxInFlight: number, receive: Receiver): number | undefined {
    if (!this.ensureChild()) return undefined;
    const token = this.nextToken++;
    this.receivers.set(token, { livePath, receive });
    this.post({ type: 'watch', token, livePath, maxGeneration, maxInFlight });
    return token;
  }

  /** Files sent for the token after this are let go on arrival. */
  unwatch(token: number): void {
    if (!this.receivers.delete(token)) return;
    this.post({ type: 'unwatch', token });
  }

  /** Stops the process (it closes whatever it still holds), or kills it after `timeoutMs`. */
  close(timeoutMs = 1000): Promise<void> {
    this.receivers.clear();
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    this.stopped ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.post({ type: 'stop' });
    });
    return this.stopped;
  }

  private ensureChild(): ChildProcess | undefined {
    if (this.child || this.dead) return this.child;
    try {
      // Structured clone: birth times are bigints. Not the collector's execArgv (its heap flags), but
      // V8 without helper threads: with them, its GC waited on helpers starved at nice 0 behind the
      // priority it raised for itself, and files were still lost; single-threaded, none in 20 loaded runs.
      const child = fork(join(__dirname, 'hold-process-child.js'), [], { serialization: 'advanced', execArgv: ['--single-threaded'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      child.on('message', (m: FromHoldProcess) => this.onMessage(m));
      child.on('error', (err) => this.die(err));
      child.on('exit', (code, signal) => {
        if (!this.stopped) this.die(new Error(`hold process exited (code ${code}, signal ${signal})`));
      });
      // It serves the tailers; it must not keep a finished collector alive (it exits on disconnect).
      child.unref();
      child.channel?.unref();
      this.child = child;
      this.ready = new Promise<void>((resolve) => (this.markReady = resolve));
    } catch (err) {
      this.die(err);
    }
    return this.child;
  }

  private die(err: unknown): void {
    if (this.dead) return;
    this.dead = true;
    this.child = undefined;
    this.receivers.clear();
    this.markReady?.();
    this.events.failed(err);
  }

  private onMessage(m: FromHoldProcess): void {
    if (m.type === 'ready') {
      this.markReady?.();
      this.events.ready?.(m.niceness);
    } else if (m.type === 'held') {
      this.onHeld(m.token, m.snapshot);
    } else {
      const r = this.receivers.get(m.token);
      if (m.type === 'watch_failed') this.receivers.delete(m.token);
      if (r) this.events.problem(m.type, r.livePath, m.message);
    }
  }

  /** Takes descriptors of our own for what the hold process opened, then lets it close its copies. */
  private onHeld(token: number, snapshot: Snapshot): void {
    const r = this.receivers.get(token);
    const pid = this.pid;
    const opened: OpenedFile[] = [];
    if (r && pid !== undefined) {
      for (const f of snapshot.opened) {
        const own = openOwn(pid, f);
        if (own) opened.push(own);
      }
    }
    if (snapshot.opened.length > 0) this.post({ type: 'released', token, fds: snapshot.opened.map((f) => f.fd) });
    if (r) r.receive({ opened, adjacent: snapshot.adjacent });
  }

  private post(m: ToHoldProcess): void {
    const child = this.child;
    if (child?.connected) child.send(m);
  }
}

/**
 * A descriptor of our own on a file the hold process holds. One it could not be opened for (the
 * hold process died) is left out: its successor then has no proven link and the gap is counted.
 */
function openOwn(pid: number, f: OpenedFile): OpenedFile | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/fd/${f.fd}`, 'r');
  } catch {
    return undefined;
  }
  const st = fstatSync(fd, { bigint: true });
  if (`${st.dev}:${st.ino}` !== f.devIno) {
    closeSync(fd);
    return undefined;
  }
  return { ...f, fd };
}
