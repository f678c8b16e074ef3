import { read, readSync, writeSync, writevSync } from 'node:fs';

import type { ServePool } from './pool';
import type { InHeader } from './protocol';
import { FUSE_NOTIFY_RESEND, IN_HEADER_BYTES, NO_REPLY_OPS, OUT_HEADER_BYTES, decodeInHeader, encodeNotify, Errno } from './protocol';

export interface Reply {
  readonly errno: number;
  readonly body?: Buffer;
}

/**
 * What the session calls per request; `undefined` means "send no reply" (FORGET, INTERRUPT).
 * A handler that has everything in hand answers synchronously: the session then replies at
 * once, with no promise and no event-loop turn for that request.
 */
export interface FuseHandler {
  handle(header: InHeader, body: Buffer): Reply | undefined | Promise<Reply | undefined>;
}

export interface FuseSessionOptions {
  readonly onError?: (err: unknown, where: string) => void;
  /** Shared with the worker's other serving threads: whether this one reads now (pool.ts). */
  readonly pool?: ServePool;
}

/** Large enough for any request the kernel sends a read-only filesystem (it demands ≥ 8 KiB). */
const READ_BUFFER_BYTES = 128 * 1024 + 4096;
/**
 * Requests answered synchronously in one event-loop turn before the loop runs again for its
 * timers and messages: bounds how long those wait behind a stream of READ/RELEASE requests.
 */
const SYNC_BATCH = 32;

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/**
 * Asks the kernel to queue again the requests a previous worker had read but not answered.
 * Returns false on kernels without FUSE_NOTIFY_RESEND (before 6.9): those requests then wait
 * until their callers are interrupted.
 */
export function resendPending(fd: number, onError?: (err: unknown, where: string) => void): boolean {
  try {
    writeSync(fd, encodeNotify(FUSE_NOTIFY_RESEND));
    return true;
  } catch (err) {
    onError?.(err, 'notify resend');
    return false;
  }
}

/**
 * Pumps requests from a /dev/fuse descriptor to a handler and writes the replies. Meant to run
 * in a thread of its own (several such threads share one descriptor; the kernel hands each
 * request to one of them, like libfuse's multi-threaded loop).
 *
 * Two ways to wait for the next request, chosen per request:
 * - idle (no handler still waiting on I/O): a blocking read(2) of /dev/fuse on this thread,
 *   as lxcfs's threads do. The kernel wakes this thread directly; no threadpool hand-off, no
 *   event-loop wake-up. Requests answered synchronously follow one another with no turn of
 *   the event loop in between; the loop turns (setImmediate) for its timers and messages
 *   after SYNC_BATCH requests, so those wait behind at most that many.
 * - busy (a handler awaits a threadpool read: a new reader's /proc files, a first open): the
 *   thread must keep its event loop running to finish that handler, so it parks one read in the
 *   libuv threadpool instead and keeps serving through it until it is idle again. A slow cgroup
 *   read thus never stops this thread from taking requests, nor any other thread.
 * Replies use a synchronous write: writing a reply to /dev/fuse never sleeps (the kernel
 * copies it to the waiting request), and it is not a call on our own mount.
 */
export class FuseSession {
  private stopped = false;
  /** Handlers dispatched whose promise has not settled. */
  private pending = 0;
  /** A threadpool read of /dev/fuse is outstanding: never block while it is. */
  private parked = false;
  private resolveDone: (() => void) | undefined;
  private readonly done: Promise<void>;
  /** One buffer for blocking reads and one for the parked read, each reused for the thread's life. */
  private readonly syncBuf = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private readonly asyncBuf = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  /** The out header of every reply, rewritten per reply: the body goes out beside it (writev), uncopied. */
  private readonly outHeader = Buffer.alloc(OUT_HEADER_BYTES);
  private scheduled = false;
  /** Requests this thread may still take before it lets its event loop turn (timers, messages). */
  private budget = 0;
  private readonly pump = (): void => {
    this.scheduled = false;
    this.budget = SYNC_BATCH;
    this.next();
  };

  constructor(
    private readonly fd: number,
    private readonly handler: FuseHandler,
    private readonly opts: FuseSessionOptions = {},
  ) {
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  /** Starts serving; resolves when the connection ends (unmount or abort) or stop() is called. */
  run(): Promise<void> {
    this.schedule();
    return this.done;
  }

  /** Stops taking new requests; a read already blocked or parked is abandoned with the process. */
  stop(): void {
    this.stopped = true;
    this.resolveDone?.();
  }

  /** Writes a notification (unsolicited message); false if the kernel refused it. */
  notify(message: Buffer): boolean {
    try {
      writeSync(this.fd, message);
      return true;
    } catch (err) {
      this.opts.onError?.(err, 'notify');
      return false;
    }
  }

  /** At most one turn pending, however many completions ask for one. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.pump);
  }

  private next(): void {
    while (this.budget > 0) {
      if (this.stopped || this.parked) return;
      if (this.pending > 0) return this.park();
      this.budget--;
      if (!this.readOne()) return;
      // A request answered synchronously (READ, RELEASE, GETATTR…) leaves pending at 0: take
      // the next one at once. One that awaits (an OPEN's render) returns to the loop: over kept
      // descriptors its render settles in this turn's microtasks, and settled() goes on from there.
      if (this.pending > 0) return;
    }
    this.schedule();
  }

  /** One blocking read of /dev/fuse and its dispatch; false if reading must stop for now. */
  private readOne(): boolean {
    const pool = this.opts.pool;
    pool?.standBy();
    let n: number;
    pool?.reading();
    const t0 = performance.now();
    try {
      n = readSync(this.fd, this.syncBuf, 0, READ_BUFFER_BYTES, null);
    } catch (err) {
      pool?.read(false);
      if (this.readFailed(err)) this.schedule();
      return false;
    }
    pool?.read(true, performance.now() - t0);
    this.received(this.syncBuf, n);
    return true;
  }

  private park(): void {
    this.parked = true;
    this.opts.pool?.reading();
    read(this.fd, this.asyncBuf, 0, READ_BUFFER_BYTES, null, (err, n) => {
      this.parked = false;
      // A parked read is not timed: its thread had work in flight, so it does not stand by next.
      this.opts.pool?.read(err === null);
      if (err !== null) {
        if (this.readFailed(err)) this.schedule();
        return;
      }
      this.received(this.asyncBuf, n);
      this.schedule();
    });
  }

  /** True if reading may go on: ENOENT (request interrupted before we took it), EINTR, EAGAIN. */
  private readFailed(err: unknown): boolean {
    const code = errCode(err);
    if (code === 'ENOENT' || code === 'EINTR' || code === 'EAGAIN') return true;
    // ENODEV: unmounted or aborted. Anything else is fatal for this session too.
    if (code !== 'ENODEV') this.opts.onError?.(err, 'read /dev/fuse');
    this.stop();
    return false;
  }

  /** The request is copied out (a few dozen bytes) because its buffer is read into again. */
  private received(buf: Buffer, n: number): void {
    if (n >= IN_HEADER_BYTES) this.dispatch(Buffer.from(buf.subarray(0, n)));
  }

  private dispatch(req: Buffer): void {
    const header = decodeInHeader(req);
    const body = req.subarray(IN_HEADER_BYTES, header.len);
    let result: Reply | undefined | Promise<Reply | undefined>;
    try {
      result = this.handler.handle(header, body);
    } catch (err) {
      this.opts.onError?.(err, `opcode ${header.opcode}`);
      result = { errno: Errno.EIO };
    }
    if (!(result instanceof Promise)) return this.reply(header, result);
    this.pending++;
    result.then(
      (reply) => this.settled(header, reply),
      (err: unknown) => {
        this.opts.onError?.(err, `opcode ${header.opcode}`);
        this.settled(header, { errno: Errno.EIO });
      },
    );
  }

  private settled(header: InHeader, reply: Reply | undefined): void {
    this.reply(header, reply);
    if (--this.pending > 0 || this.parked) return;
    // The last handler that waited finished: back to blocking reads. Within this turn's budget
    // straight away (a render over kept descriptors settles in the same turn, so a whole
    // OPEN…RELEASE sequence costs no event-loop turn); else, or if the loop must turn, next turn.
    if (this.budget > 0 && !this.scheduled) this.next();
    else this.schedule();
  }

  private reply(header: InHeader, reply: Reply | undefined): void {
    if (reply === undefined || NO_REPLY_OPS.has(header.opcode)) return;
    const body = reply.errno === 0 ? reply.body : undefined;
    const h = this.outHeader;
    h.writeUInt32LE(OUT_HEADER_BYTES + (body?.length ?? 0), 0);
    h.writeInt32LE(-reply.errno, 4);
    h.writeBigUInt64LE(header.unique, 8);
    try {
      // One write(2) either way: the kernel takes a reply only whole, in a single call.
      if (body === undefined || body.length === 0) writeSync(this.fd, h);
      else writevSync(this.fd, [h, body]);
    } catch (err) {
      // ENOENT: the caller was interrupted and the kernel dropped the request. Not an error.
      if (errCode(err) !== 'ENOENT') this.opts.onError?.(err, 'write /dev/fuse');
    }
  }
}
