import type { ContainerIdentity } from './identity';

export type LogStream = 'stdout' | 'stderr';

/** Where a record was read from: identity of the file (not its name) and the byte offset. */
export interface LogOrigin {
  /** `dev:ino:fingerprint` of the file, or `api` for the Docker API stream. */
  readonly fileKey: string;
  /** Byte offset of the record's first byte in that file (or a sequence number for `api`). */
  readonly offset: number;
  /** Offset just past the record: the checkpoint once this record is delivered. */
  readonly endOffset: number;
}

export interface LogRecord {
  /** Deterministic: the same every time the same bytes are read (container, file identity, offset). */
  readonly id: string;
  /** RFC 3339 with nanoseconds, as Docker writes it. */
  readonly time: string;
  readonly stream: LogStream;
  readonly message: string;
  readonly origin: LogOrigin;
  /** Set when the record was forwarded raw because it could not be parsed, or was cut at the cap. */
  readonly error?: 'unparseable' | 'truncated' | 'invalid_utf8';
}

/** The value of `cargoscope.logs.v1`: records from one container stream, in order. */
export interface LogBatch {
  readonly type: 'logs';
  readonly version: 1;
  readonly source: string;
  readonly container: ContainerIdentity;
  readonly records: readonly LogRecord[];
}

/**
 * The figures of a log batch that carries its records as wire bytes (core/transport's
 * PackedLogBatch), read through this symbol so envelopes can be sized and counted without
 * decoding them. A getter on the class, not an own property: a spread copy (a new plain batch,
 * whose records a transform may have changed) does not keep it.
 */
export const PACKED_FIGURES = Symbol('cargoscope.packedFigures');

export interface PackedFigures {
  readonly count: number;
  readonly estimatedBytes: number;
}

export function packedFigures(batch: LogBatch): PackedFigures | undefined {
  return (batch as { [PACKED_FIGURES]?: PackedFigures })[PACKED_FIGURES];
}
