/**
 * How many of a worker's serving threads read /dev/fuse at a time.
 *
 * The kernel hands each request to the reader of /dev/fuse that has waited longest, so with
 * every thread reading, requests rotate over all of them and each one lands on the thread whose
 * caches (and JIT state: one isolate per thread) are coldest — measured here, one reader in a
 * loop cost ≈ 1.3–2× the CPU per read with 2 threads reading as with 1. So a thread reads only
 * when it is needed, as libfuse's loop adds threads only when none is idle:
 * - thread 0 (the core) always reads;
 * - another thread, when it has nothing in flight, its last read slept (no backlog: under load
 *   reads return at once, and the thread stays) and some thread is already waiting in read(2),
 *   stands by instead of reading again. One standby thread (the sentinel) looks every POLL_MS:
 *   when no thread has been waiting in read(2) at three looks in a row (all busy: a backlog, or a
 *   slow read holding a thread), it joins and hands the sentinel role to the next standby thread.
 * A slow request thus delays others by at most a few milliseconds, never indefinitely. The
 * sentinel backs off while the filesystem is idle, so an idle shim does not spin.
 */

const WAITING = 0;
const SENTINEL = 1;
const WAKE = 2;
/** Requests taken, by every thread: the sentinel backs off while it does not move. */
const TAKEN = 3;

const POLL_MS = 1;
const IDLE_POLL_MS = 50;
/** Looks in a row with no thread waiting before a standby thread joins. */
const LOOKS = 3;
/** A read of /dev/fuse that took this long slept: no request was queued when it started. */
const SLEPT_MS = 0.05;

export function allocatePool(): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * 4);
}

export class ServePool {
  private readonly ctl: Int32Array;

  /** @param index the thread's number; 0 never stands by. */
  constructor(buf: SharedArrayBuffer, private readonly index: number) {
    this.ctl = new Int32Array(buf);
  }

  /** Around every read of /dev/fuse (blocking or parked in the threadpool). */
  reading(): void {
    Atomics.add(this.ctl, WAITING, 1);
  }

  /** The last read of this thread slept (it found no request queued): the only time it may stand by. */
  private slept = false;

  /**
   * After that read returned; `took` when it returned a request, `waitedMs` how long it took.
   * A read that returns at once found requests queued (a backlog): the thread then stays.
   */
  read(took: boolean, waitedMs = 0): void {
    Atomics.sub(this.ctl, WAITING, 1);
    if (took) Atomics.add(this.ctl, TAKEN, 1);
    this.slept = waitedMs >= SLEPT_MS;
  }

  /**
   * Called by an idle thread (nothing in flight) before it reads: returns at once if it should
   * read, else blocks this thread until it is needed. Blocking is fine here: a thread with
   * nothing in flight has nothing for its event loop to finish.
   */
  standBy(): void {
    if (this.index === 0 || !this.slept || Atomics.load(this.ctl, WAITING) === 0) return;
    this.slept = false;
    const me = this.index + 1;
    for (;;) {
      const gen = Atomics.load(this.ctl, WAKE);
      const s = Atomics.compareExchange(this.ctl, SENTINEL, 0, me);
      if (s === 0 || s === me) {
        this.watch();
        Atomics.store(this.ctl, SENTINEL, 0);
        // The next standby thread (if any) becomes the sentinel.
        Atomics.add(this.ctl, WAKE, 1);
        Atomics.notify(this.ctl, WAKE, 1);
        return;
      }
      Atomics.wait(this.ctl, WAKE, gen);
    }
  }

  /** The sentinel's watch: returns when no thread was waiting in read(2) at LOOKS looks in a row. */
  private watch(): void {
    let quiet = 0;
    let taken = Atomics.load(this.ctl, TAKEN);
    let wait = POLL_MS;
    for (;;) {
      if (Atomics.load(this.ctl, WAITING) === 0) {
        if (++quiet >= LOOKS) return;
        wait = POLL_MS;
      } else {
        quiet = 0;
        const now = Atomics.load(this.ctl, TAKEN);
        wait = now === taken ? Math.min(IDLE_POLL_MS, wait * 2) : POLL_MS;
        taken = now;
      }
      Atomics.wait(this.ctl, SENTINEL, this.index + 1, wait);
    }
  }
}
