import { z } from 'zod';
import { discoverySchema } from '../../discovery/config';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Batch limits (see `batch_max_bytes` / `batch_max_records` below); the decoder's defaults too. */
export const DEFAULT_BATCH_MAX_BYTES = 960 * KiB;
export const DEFAULT_BATCH_MAX_RECORDS = 10_000;

/** Joining continuation lines (stack traces) into one record; off unless a pattern is given. */
export const multilineSchema = z.strictObject({
  /**
   * A line matching this regex starts a new record; any other line continues the current one.
   * A container's `cargoscope.multiline.pattern` label overrides it (an empty label turns it off).
   */
  start_pattern: z.string().nullable().default(null),
  /** Container label read for a per-container start pattern. */
  label: z.string().min(1).default('cargoscope.multiline.pattern'),
  /** A held record is emitted when no continuation arrived for this long. */
  timeout_ms: z.number().int().positive().default(1000),
  max_lines: z.number().int().positive().default(500),
});

export const dockerLogsSourceSchema = z.strictObject({
  /** Docker's data root: logs are under `<docker_root>/containers/<id>/<id>-json.log`. */
  docker_root: z.string().min(1).default('/var/lib/docker'),
  /** Prefer the `LogPath` reported by inspect (true) over the path built from `docker_root`. */
  use_inspect_log_path: z.boolean().default(true),
  /** Where to start in a container's log the first time it is seen (no checkpoint). */
  read_from: z.enum(['beginning', 'end']).default('beginning'),
  /**
   * Bytes per read(2) call. 1 MiB (two full batches of 256-byte lines per read) shipped 256-byte
   * lines ~40 % faster than 256 KiB in the docker-logs bench, for 3 MiB more of read buffers.
   */
  read_buffer_bytes: z.number().int().min(4 * KiB).max(16 * MiB).default(1 * MiB),
  /** Read buffers shared by all containers (reads in parallel at most); memory is their product. */
  read_buffers: z.number().int().min(1).max(64).default(4),
  /** Cap on one message after partial records are joined; longer ones are cut and marked `truncated`. */
  max_line_bytes: z.number().int().min(KiB).max(256 * MiB).default(4 * MiB),
  /**
   * A container's batch (one Kafka message) is closed before it passes this many bytes as sent,
   * before compression (a single longer record makes a batch of its own). 960 KiB keeps one
   * message under Kafka's default `message.max.bytes` (1 MiB) with room for its header and gzip's
   * worst case; the broker applies that limit to a produce request's compressed record batch,
   * which holds every message the sink sends to the partition at once.
   */
  batch_max_bytes: z.number().int().positive().default(DEFAULT_BATCH_MAX_BYTES),
  /**
   * ...or at this many records. Per-batch costs (a gzip stream, a produce request, an ack, a
   * checkpoint) are paid per message, so the bytes should close batches, not the count: batches
   * of 2000 256-byte lines shipped ~25 % slower than ~3,600-line ones in the docker-logs bench.
   */
  batch_max_records: z.number().int().positive().default(DEFAULT_BATCH_MAX_RECORDS),
  /**
   * Emitted but not yet acknowledged bytes, over all containers; reading stops above it. With
   * acks=all and one request in flight, the sink sends what has queued while the previous request
   * was out, so 8 MiB keeps one request sending while the next fills (64 MiB shipped no faster
   * in the bench, and held 8× the records: one costs ≈ 1.4× its estimate in heap).
   */
  max_in_flight_bytes: z.number().int().positive().default(8 * MiB),
  /** How often an idle file is checked for new data, rotation and truncation. */
  poll_interval_ms: z.number().int().min(10).max(10_000).default(250),
  /** Checkpoints are written at most this often (and at shutdown). */
  checkpoint_interval_ms: z.number().int().min(10).default(1000),
  /** Rotated files per container kept open until drained; beyond it the oldest is given up (counted). */
  max_open_rotated_files: z.number().int().min(1).max(256).default(32),
  /** Bytes hashed from the start of a file (up to its first newline) to tell files apart. */
  fingerprint_bytes: z.number().int().min(16).max(4096).default(1024),
  /**
   * Only containers carrying every one of these labels are shipped: `key` (any value) or
   * `key=value`, as in `docker ps --filter label=…`. Empty: every container on the node.
   */
  include_labels: z.array(z.string().min(1).regex(/^[^=]+(=.*)?$/, 'expected "key" or "key=value"')).default([]),
  /** Containers whose log driver is not json-file are followed through the API (with timestamps). */
  api_fallback: z.boolean().default(true),
  multiline: multilineSchema.prefault({}),
  discovery: discoverySchema.prefault({}),
});

export type DockerLogsSourceConfig = z.infer<typeof dockerLogsSourceSchema>;
export type MultilineConfig = z.infer<typeof multilineSchema>;
