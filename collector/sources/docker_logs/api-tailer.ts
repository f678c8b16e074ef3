import type { DockerApi } from '../../discovery/docker-api';
import { Ack, type LogBatch, type LogRecord } from '../../../core/event';
import { planBatches } from './batcher';
import type { ApiCheckpoint } from './checkpoint-store';
import type { TailerDeps } from './container-tailer';
import { InOrderCommitter } from './delivery-tracker';
import { ApiDecoder, FrameDemuxer, sinceParam } from './api-stream';
import type { LogTarget } from './targets';

/**
 * Follows one container's log through the Docker API (drivers other than json-file: `local`,
 * `journald`, …), with timestamps, resuming at the last delivered timestamp. Backpressure is the
 * HTTP stream's own: the next chunk is not read until the previous one's batches were accepted.
 */
export class ApiTailer {
  private readonly committer: InOrderCommitter;
  /** Checkpoint value for each tracked batch, by its sequence number. */
  private readonly positions = new Map<number, ApiCheckpoint>();
  private stopped = false;
  private running = true;
  private rereadRequested = false;
  private stream: NodeJS.ReadableStream | undefined;
  private loop: Promise<void> | undefined;
  private wakeSleeper: (() => void) | undefined;
  private emitting: Promise<void> = Promise.resolve();

  constructor(
    public target: LogTarget,
    private readonly deps: TailerDeps & { readonly docker: DockerApi },
  ) {
    this.committer = new InOrderCommitter(deps.budget, {
      commit: (_key, seq) => this.commit(seq),
      failed: () => {
        this.rereadRequested = true;
        this.positions.clear();
        this.destroyStream();
      },
    });
  }

  get id(): string {
    return this.target.identity.id;
  }

  get finished(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  start(): void {
    this.loop ??= this.run().catch((err: unknown) => {
      this.deps.ctx.telemetry.error('tailer_failed');
      this.deps.ctx.logger.error({ err, container: this.id }, 'API log follower stopped on an unexpected error');
    });
  }

  setRunning(running: boolean): void {
    this.running = running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.destroyStream();
    this.wakeSleeper?.();
    await this.finished;
  }

  idle(): Promise<void> {
    return this.committer.idle();
  }

  close(): Promise<void> {
    this.committer.abandon();
    this.destroyStream();
    return Promise.resolve();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.rereadRequested = false;
      try {
        await this.follow();
      } catch (err) {
        if (!this.stopped) {
          this.deps.ctx.telemetry.error('docker_logs_stream_failed');
          this.deps.ctx.logger.debug({ err, container: this.id }, 'API log stream failed; reconnecting');
        }
      }
      if (this.stopped || (!this.running && this.committer.pending === 0)) break;
      await this.sleep(1000);
    }
  }

  private async follow(): Promise<void> {
    const cp = this.deps.store.getApi(this.id);
    const since = cp ? sinceParam(cp.time) : this.deps.config.read_from === 'end' ? `${Math.floor(Date.now() / 1000)}` : undefined;
    const stream = await this.deps.docker.getContainer(this.id).logs({
      follow: true, stdout: true, stderr: true, timestamps: true, ...(since ? { since } : {}),
    });
    this.stream = stream;
    const decoder = new ApiDecoder({
      containerId: this.id,
      maxLineBytes: this.deps.config.max_line_bytes,
      ...(this.deps.multiline ? { multiline: this.deps.multiline } : {}),
      ...(cp ? { skipAt: cp } : {}),
      partialTimeoutMs: 1000,
    });
    const demux = new FrameDemuxer();
    const onFrame = (s: 'stdout' | 'stderr', p: Buffer): void => decoder.frame(s, p);
    // Held frames (a message's last chunk has no newline here) and multiline records are
    // released by time, so they are looked at while the stream is quiet too.
    const ticker = setInterval(() => {
      decoder.tick();
      void this.emitInOrder(decoder);
    }, this.deps.config.poll_interval_ms);
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (this.stopped || this.rereadRequested) break;
        if (this.target.tty) this.ttyLines(chunk, onFrame);
        else demux.push(chunk, onFrame);
        await this.emitInOrder(decoder);
      }
    } finally {
      clearInterval(ticker);
      this.destroyStream();
    }
  }

  /** Emissions from the stream loop and the ticker run one after the other, never interleaved. */
  private emitInOrder(decoder: ApiDecoder): Promise<void> {
    this.emitting = this.emitting.then(() => this.emit(decoder));
    return this.emitting;
  }

  /** A TTY stream has no frames: each line (`<time> <text>\n`) stands for one. */
  private ttyLines(chunk: Buffer, onFrame: (s: 'stdout', p: Buffer) => void): void {
    let pos = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, pos)) {
      onFrame('stdout', chunk.subarray(pos, nl + 1));
      pos = nl + 1;
    }
    if (pos < chunk.length) onFrame('stdout', chunk.subarray(pos));
  }

  private async emit(decoder: ApiDecoder): Promise<void> {
    const counts = decoder.takeCounts();
    for (let i = 0; i < counts.unparseable; i++) this.deps.ctx.telemetry.error('unparseable');
    for (let i = 0; i < counts.truncated; i++) this.deps.ctx.telemetry.error('truncated');
    const records = decoder.take();
    const safe = decoder.safeOffset();
    const { batch_max_records: maxRecords, batch_max_bytes: maxBytes } = this.deps.config;
    for (const b of planBatches(records, safe, maxRecords, maxBytes)) {
      if (this.deps.budget.full) await this.deps.budget.available();
      if (this.rereadRequested || this.stopped) return;
      const slice: readonly LogRecord[] = records.slice(b.start, b.end);
      const last = slice[slice.length - 1] as LogRecord;
      // A timestamp position is only safe when nothing earlier is still held (partial, multiline).
      if (b.checkpoint >= last.origin.endOffset) this.positions.set(last.origin.offset, positionOf(last));
      const ack = new Ack();
      this.committer.track(ack.done, 'api', last.origin.offset, b.bytes);
      this.deps.ctx.telemetry.eventsReceived(slice.length, b.bytes);
      const batch: LogBatch = { type: 'logs', version: 1, source: this.deps.ctx.id, container: this.target.identity, records: slice };
      await this.deps.ctx.emit(batch, ack);
    }
  }

  private commit(seq: number): void {
    let best: ApiCheckpoint | undefined;
    for (const [s, cp] of this.positions) {
      if (s > seq) continue;
      best = cp;
      this.positions.delete(s);
    }
    if (best) this.deps.store.setApi(this.id, best);
  }

  private destroyStream(): void {
    const s = this.stream as { destroy?: () => void } | undefined;
    s?.destroy?.();
    this.stream = undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** The record's timestamp and how many records up to and including it carry that timestamp. */
function positionOf(r: LogRecord): ApiCheckpoint {
  const n = Number(r.id.slice(r.id.lastIndexOf(':') + 1));
  return { time: r.time, count: n + 1 };
}
