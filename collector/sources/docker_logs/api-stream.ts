import type { LogRecord, LogStream } from '../../../core/event';
import { MultilineJoiner, type MultilineOptions } from './multiline';
import { PartialReassembler, type EmitPiece, type RecordError } from './reassembler';

/**
 * Docker's API log stream (`GET /containers/{id}/logs?follow=1&timestamps=1`), for containers
 * whose log driver is not json-file. Without a TTY the body is multiplexed: 8-byte headers
 * (stream type, 3 zero bytes, big-endian payload size) each followed by one payload. dockerd
 * writes one frame per log message, prefixed with its timestamp; a message over 16 KiB arrives as
 * several frames, each with its own timestamp, and only the last one ends with a newline.
 */

const HEADER = 8;

/** Splits a multiplexed body into frames, across chunk boundaries. */
export class FrameDemuxer {
  private pending: Buffer | undefined;

  push(chunk: Buffer, onFrame: (stream: LogStream, payload: Buffer) => void): void {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let pos = 0;
    while (data.length - pos >= HEADER) {
      const type = data[pos] as number;
      const size = data.readUInt32BE(pos + 4);
      if (data.length - pos - HEADER < size) break;
      const payload = data.subarray(pos + HEADER, pos + HEADER + size);
      // 1 = stdout, 2 = stderr; 0 (stdin) and 3 (systemerr) are not container output.
      if (type === 1 || type === 2) onFrame(type === 1 ? 'stdout' : 'stderr', payload);
      pos += HEADER + size;
    }
    if (pos < data.length) this.pending = Buffer.from(data.subarray(pos));
  }
}

/** `2024-05-01T10:00:00.123456789Z text` → [time, text start]; undefined without a timestamp. */
export function splitTimestamp(payload: Buffer): [string, number] | undefined {
  const sp = payload.indexOf(0x20);
  if (sp < 20 || sp > 40) return undefined;
  const time = payload.toString('latin1', 0, sp);
  return /^\d{4}-\d\d-\d\dT/.test(time) ? [time, sp + 1] : undefined;
}

export interface ApiDecoderOptions {
  readonly containerId: string;
  readonly maxLineBytes: number;
  readonly multiline?: MultilineOptions;
  /** Records already delivered at the resume timestamp (`since` returns them again): skipped. */
  readonly skipAt?: { readonly time: string; readonly count: number };
  /** A held frame without a newline is emitted after this long without a continuation. */
  readonly partialTimeoutMs?: number;
  readonly now?: () => number;
}

/**
 * Frames → LogRecords. Unlike json-file, the API stream of the `local` driver does not end the
 * last chunk of a split message with a newline; every chunk carries the message's timestamp. So
 * a frame without a newline is held: a next frame of the same stream with the same timestamp
 * continues it, one with another timestamp (or `partial_timeout_ms` of silence) ends it. Ids are `<container>:api:<time>:<n>` (n counts records sharing a
 * timestamp), so a stream resumed with `since=<time>` yields the same ids for the same records.
 * `origin.offset` is a sequence number within this stream session.
 */
export class ApiDecoder {
  private readonly reassembler: PartialReassembler;
  private readonly multiline: MultilineJoiner | undefined;
  private out: LogRecord[] = [];
  private seq = 0;
  private lastTime = '';
  private sameTime = 0;
  private skip: { time: string; count: number } | undefined;
  private unparseable = 0;
  private stdoutAt = 0;
  private stderrAt = 0;
  private readonly now: () => number;

  constructor(private readonly options: ApiDecoderOptions) {
    this.now = options.now ?? Date.now;
    const toRecord: EmitPiece = (...a) => this.record(...a);
    this.multiline = options.multiline ? new MultilineJoiner(options.multiline, toRecord, options.now) : undefined;
    this.reassembler = new PartialReassembler(options.maxLineBytes, this.multiline ? this.multiline.push : toRecord);
    this.skip = options.skipAt ? { ...options.skipAt } : undefined;
  }

  frame(stream: LogStream, payload: Buffer): void {
    const seq = this.seq++;
    const ts = splitTimestamp(payload);
    let error: RecordError | undefined;
    let time: string;
    let start: number;
    if (ts) [time, start] = ts;
    else {
      time = '';
      start = 0;
      error = 'unparseable';
      this.unparseable++;
    }
    const complete = payload.length > start && payload[payload.length - 1] === 0x0a;
    const end = complete ? payload.length - 1 : payload.length;
    const held = this.reassembler.heldTime(stream);
    if (held !== undefined && held !== time) this.reassembler.close(stream, seq);
    const text = payload.toString('utf8', start, end);
    const now = this.now();
    if (stream === 'stdout') this.stdoutAt = now;
    else this.stderrAt = now;
    this.reassembler.push(seq, seq + 1, time, stream, text, end - start, !complete && !error, error);
  }

  tick(nowMs = this.now()): void {
    const timeout = this.options.partialTimeoutMs ?? 1000;
    if (this.reassembler.heldTime('stdout') !== undefined && nowMs - this.stdoutAt >= timeout) this.reassembler.close('stdout', this.seq);
    if (this.reassembler.heldTime('stderr') !== undefined && nowMs - this.stderrAt >= timeout) this.reassembler.close('stderr', this.seq);
    this.multiline?.flushExpired(nowMs);
  }

  take(): LogRecord[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  takeCounts(): { unparseable: number; truncated: number } {
    const c = { unparseable: this.unparseable, truncated: this.reassembler.takeTruncated() + (this.multiline?.takeTruncated() ?? 0) };
    this.unparseable = 0;
    return c;
  }

  safeOffset(): number {
    const held = Math.min(this.reassembler.heldOffset(), this.multiline?.heldOffset() ?? Infinity);
    return held === Infinity ? this.seq : held;
  }

  private record(offset: number, endOffset: number, time: string, stream: LogStream, message: string, _bytes: number, error: RecordError | undefined): void {
    if (time !== this.lastTime) {
      this.lastTime = time;
      this.sameTime = 0;
    }
    const n = this.sameTime++;
    if (this.skip) {
      if (time === this.skip.time && n < this.skip.count) return;
      this.skip = undefined;
    }
    this.out.push({
      id: `${this.options.containerId}:api:${time}:${n}`,
      time: time || new Date(this.now()).toISOString(),
      stream,
      message,
      origin: { fileKey: 'api', offset, endOffset },
      error,
    });
  }
}

/** Docker's `since` takes `<unix seconds>.<nanoseconds>`; RFC 3339 nanosecond time → that. */
export function sinceParam(time: string): string | undefined {
  const m = /^(.*?)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1] ?? ''}${m[3] ?? ''}`);
  if (!Number.isFinite(seconds)) return undefined;
  return `${Math.floor(seconds / 1000)}.${(m[2] ?? '').padEnd(9, '0')}`;
}
