import type { ControllerDir } from '../../core/cgroup';
import type { LoadavgInput } from '../renderers/loadavg';

/** What the renderer asks for a cgroup's load average (the sampler, or its published copy). */
export interface LoadavgSource {
  read(cg: ControllerDir, initPid: number): LoadavgInput;
}

/** A serving thread's request to sample a cgroup (or to keep sampling it). */
export interface LoadavgTrack {
  readonly type: 'loadavg-track';
  readonly cg: ControllerDir;
  readonly initPid: number;
}

/**
 * The load averages, published by the one sampler (the worker's main thread) for every serving
 * thread, in shared memory: a serving thread blocked in read(2) cannot receive messages, and a
 * queue of updates for an idle thread would grow without bound. Single writer, seqlock: the
 * sequence is odd while a publication is being written; a reader copies, then checks that the
 * sequence did not move, so it never parses a half-written table.
 */
export interface LoadavgBoardBuffers {
  /** Int32 [sequence, byte length]. */
  readonly meta: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
}

export function allocateLoadavgBoard(bytes = 1 << 20): LoadavgBoardBuffers {
  return { meta: new SharedArrayBuffer(8), data: new SharedArrayBuffer(bytes) };
}

/** The writer side: only the sampler's thread publishes. */
export class LoadavgPublisher {
  private readonly meta: Int32Array;
  private readonly data: Buffer;
  /** Cgroups left out of a publication because the board was full (counted, logged by the caller). */
  dropped = 0;

  constructor(b: LoadavgBoardBuffers) {
    this.meta = new Int32Array(b.meta);
    this.data = Buffer.from(b.data);
  }

  publish(figures: ReadonlyArray<[string, LoadavgInput]>): void {
    let entries = figures;
    let bytes = Buffer.from(JSON.stringify(entries));
    while (bytes.length > this.data.length && entries.length > 0) {
      const keep = Math.floor((entries.length * this.data.length) / bytes.length * 0.9);
      this.dropped += entries.length - keep;
      entries = entries.slice(0, keep);
      bytes = Buffer.from(JSON.stringify(entries));
    }
    Atomics.add(this.meta, 0, 1);
    bytes.copy(this.data, 0);
    Atomics.store(this.meta, 1, bytes.length);
    Atomics.add(this.meta, 0, 1);
  }
}

/** Seconds between two requests from one thread to keep sampling the same cgroup. */
const TRACK_EVERY_MS = 60_000;
const MAX_RETRIES = 8;

/**
 * A serving thread's view of the load averages: reads the board when it changed, and asks the
 * sampler (by message) to sample cgroups it is asked about.
 */
export class RemoteLoadavg implements LoadavgSource {
  private readonly meta: Int32Array;
  private readonly data: Buffer;
  /** Sequence of the table held; 0 = nothing published yet, as the board starts. */
  private seen = 0;
  private table = new Map<string, LoadavgInput>();
  private readonly tracked = new Map<string, number>();

  constructor(
    b: LoadavgBoardBuffers,
    private readonly post: (m: LoadavgTrack) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.meta = new Int32Array(b.meta);
    this.data = Buffer.from(b.data);
  }

  read(cg: ControllerDir, initPid: number): LoadavgInput {
    this.refresh();
    const t = this.now();
    const last = this.tracked.get(cg.dir);
    if (last === undefined || t - last > TRACK_EVERY_MS) {
      if (this.tracked.size > 65536) this.tracked.clear(); // bounded; re-asking is harmless
      this.tracked.set(cg.dir, t);
      this.post({ type: 'loadavg-track', cg, initPid });
    }
    // Not sampled yet: what the sampler itself reports before its first pass.
    return this.table.get(cg.dir) ?? { avenrun: [0, 0, 0], running: 0, total: 1, lastPid: initPid };
  }

  private refresh(): void {
    for (let i = 0; i < MAX_RETRIES; i++) {
      const seq = Atomics.load(this.meta, 0);
      if (seq === this.seen) return;
      if ((seq & 1) === 1) continue; // being written: a few hundred bytes copy, try again
      const text = this.data.toString('utf8', 0, Atomics.load(this.meta, 1));
      if (Atomics.load(this.meta, 0) !== seq) continue;
      this.table = new Map(JSON.parse(text) as Array<[string, LoadavgInput]>);
      this.seen = seq;
      return;
    }
    // Still changing after several tries: keep the previous table, consistent and 5 s old at most.
  }
}
