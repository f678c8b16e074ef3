import { read, writeSync } from 'node:fs';

import type { InHeader } from './protocol';
import { FUSE_NOTIFY_RESEND, IN_HEADER_BYTES, NO_REPLY_OPS, decodeInHeader, encodeNotify, encodeReply, Errno } from './protocol';

export interface Reply {
  readonly errno: number;
  readonly body?: Buffer;
}

/** What the session calls per request; `undefined` means "send no reply" (FORGET, INTERRUPT). */
export interface FuseHandler {
  handle(header: InHeader, body: Buffer): Promise<Reply | undefined>;
}

export interface FuseSessionOptions {
  /** Reads kept outstanding on /dev/fuse, each parked in a libuv threadpool thread. */
  readonly readers: number;
  readonly onError?: (err: unknown, where: string) => void;
}

/** Large enough for any request the kernel sends a read-only filesystem (it demands ≥ 8 KiB). */
const READ_BUFFER_BYTES = 128 * 1024 + 4096;

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/**
 * Pumps requests from a /dev/fuse descriptor to a handler and writes the replies.
 *
 * Reads go through libuv's threadpool (`fs.read` on the fd): each blocks one pool thread until a
 * request arrives and never blocks the event loop. Handlers run concurrently, so a slow cgroup
 * read delays only its own request. Replies use a synchronous write: writing a reply to
 * /dev/fuse never sleeps (the kernel copies it to the waiting request and wakes the reader), it is
 * not a call on our own mount, and it avoids competing for the pool threads the readers hold.
 */
export class FuseSession {
  private stopped = false;
  private active = 0;
  private resolveDone: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(
    private readonly fd: number,
    private readonly handler: FuseHandler,
    private readonly opts: FuseSessionOptions,
  ) {
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  /** Starts the readers; resolves when the connection ends (unmount or abort) or stop() is called. */
  run(): Promise<void> {
    for (let i = 0; i < this.opts.readers; i++) this.readNext(Buffer.allocUnsafe(READ_BUFFER_BYTES));
    return this.done;
  }

  /** Stops taking new requests; reads already parked in the kernel are abandoned with the process. */
  stop(): void {
    this.stopped = true;
    this.resolveDone?.();
  }

  /**
   * Asks the kernel to queue again the requests a previous worker had read but not answered.
   * Returns false on kernels without FUSE_NOTIFY_RESEND (before 6.9): those requests then wait
   * until their callers are interrupted.
   */
  resendPending(): boolean {
    try {
      writeSync(this.fd, encodeNotify(FUSE_NOTIFY_RESEND));
      return true;
    } catch (err) {
      this.opts.onError?.(err, 'notify resend');
      return false;
    }
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

  /**
   * Each parked read owns one buffer for the worker's life: a 132 KiB allocation per request
   * was measurable garbage. The request is copied out (a few dozen bytes, from Node's pool)
   * before the buffer is parked again.
   */
  private readNext(buf: Buffer): void {
    if (this.stopped) return;
    this.active++;
    read(this.fd, buf, 0, buf.length, null, (err, n) => {
      this.active--;
      if (err !== null) {
        const code = errCode(err);
        // ENOENT: the request was interrupted before we got it; EINTR/EAGAIN: retry.
        if (code === 'ENOENT' || code === 'EINTR' || code === 'EAGAIN') return this.readNext(buf);
        // ENODEV: unmounted or aborted. Anything else is fatal for this session too.
        if (code !== 'ENODEV') this.opts.onError?.(err, 'read /dev/fuse');
        this.stopped = true;
        if (this.active === 0) this.resolveDone?.();
        return;
      }
      const req = n >= IN_HEADER_BYTES ? Buffer.from(buf.subarray(0, n)) : undefined;
      this.readNext(buf); // keep a read parked while this request is handled
      if (req !== undefined) this.dispatch(req);
    });
  }

  private dispatch(req: Buffer): void {
    const header = decodeInHeader(req);
    const body = req.subarray(IN_HEADER_BYTES, header.len);
    this.handler.handle(header, body).then(
      (reply) => this.reply(header, reply),
      (err: unknown) => {
        this.opts.onError?.(err, `opcode ${header.opcode}`);
        this.reply(header, { errno: Errno.EIO });
      },
    );
  }

  private reply(header: InHeader, reply: Reply | undefined): void {
    if (reply === undefined || NO_REPLY_OPS.has(header.opcode)) return;
    try {
      writeSync(this.fd, encodeReply(header.unique, reply.errno, reply.body));
    } catch (err) {
      // ENOENT: the caller was interrupted and the kernel dropped the request. Not an error.
      if (errCode(err) !== 'ENOENT') this.opts.onError?.(err, 'write /dev/fuse');
    }
  }
}
