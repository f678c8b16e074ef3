import type { Scheduler } from './types';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/**
 * A manual clock for tests and the simulator: `advance` runs due timers in time order and lets
 * the promise jobs they start settle between them, so asynchronous flushes behave as with real time.
 */
export class ManualScheduler implements Scheduler {
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(private nowMs = 0) {}

  now(): number {
    return this.nowMs;
  }

  setTimer(fn: () => void, ms: number): unknown {
    const t = { id: this.nextId++, at: this.nowMs + Math.max(0, ms), fn };
    this.timers.push(t);
    return t.id;
  }

  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  get pending(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    const until = this.nowMs + ms;
    await settle();
    for (;;) {
      const next = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.nowMs = next.at;
      next.fn();
      await settle();
    }
    this.nowMs = until;
  }
}

/** Lets chains of already-resolved promises run (a few macrotask turns cover fetch-free code). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise<void>((r) => setImmediate(r));
}
