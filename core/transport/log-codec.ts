import { PACKED_FIGURES, type ContainerIdentity, type LogBatch, type LogRecord, type PackedFigures } from '../event';
import { LogRecordsWriter, readRecords, varintLength, WireReader, writeVarint } from './log-records';

/**
 * Wire format 2 of `cargoscope.logs.v1` values: a compact binary batch. JSON spent ~600 bytes on a
 * 256-byte line (per-record id, origin object, key names, escapes), and the bytes fed to gzip are
 * most of the shipping cost. Here what all records share is said once, in a JSON header
 * (source, container identity, the file keys), and each record is:
 *
 *   flags         1 byte: bit 0 stderr; bits 1–2 error (0 none, 1 unparseable, 2 truncated,
 *                 3 invalid_utf8); bit 3 explicit id follows; bit 4 file key index follows
 *   [file key]    varint index into header.fileKeys (when bit 4; else the previous record's)
 *   offset        zigzag varint, relative to the previous record's end offset (records of a
 *                 joined partial line complete out of file order, so it can go backwards)
 *   length        varint, endOffset − offset
 *   time          varint bytes shared with the previous record's time, varint n, n bytes
 *   [id]          varint n, n bytes (when bit 3: an id not of the derived form below)
 *   message       varint n, n bytes of UTF-8
 *
 * The id every consumer indexes by is not sent when it is the derived one,
 * `<container id>:<file key>:<offset>` — the decoder rebuilds exactly the same string, so replays
 * stay idempotent. Layout: magic `CSLB`, format byte 2, varint header length, header, varint
 * record count, records. Decoding never throws: a value that does not add up is `malformed`.
 * On Kafka the whole value is usually gzip'd (KafkaTransport.compress); codec.ts inflates it.
 */
export const LOGS_MAGIC = Buffer.from('CSLB', 'latin1');
export const LOGS_WIRE_VERSION = 2;
export const LOGS_CONTENT_TYPE = 'application/vnd.cargoscope.logs+binary; version=2';

interface Header {
  readonly source: string;
  readonly container: ContainerIdentity;
  readonly fileKeys: readonly string[];
}

export function isLogBatchValue(value: Buffer): boolean {
  return value.length >= 5 && value[0] === 0x43 && value[1] === 0x53 && value[2] === 0x4c && value[3] === 0x42;
}

export function encodeLogBatch(batch: LogBatch): Buffer {
  if (batch instanceof PackedLogBatch) return batch.wire();
  const fileKeys: string[] = [];
  const keyIndex = new Map<string, number>();
  for (const r of batch.records) {
    if (!keyIndex.has(r.origin.fileKey)) {
      keyIndex.set(r.origin.fileKey, fileKeys.length);
      fileKeys.push(r.origin.fileKey);
    }
  }
  const idBase = `${batch.container.id}:`;
  const writer = new LogRecordsWriter();
  writer.begin();
  for (const r of batch.records) {
    writer.addRecord(r, keyIndex.get(r.origin.fileKey) as number, r.id !== `${idBase}${r.origin.fileKey}:${r.origin.offset}`);
  }
  return frame({ source: batch.source, container: batch.container, fileKeys }, batch.records.length, writer.seal(), 0);
}

/**
 * Magic, version, header, record count, then the record section: `section[start…]`. The prefix is
 * written into the bytes before `start` when they are unused room, else the whole is copied once.
 */
function frame(header: Header, count: number, section: Buffer, start: number): Buffer {
  const json = JSON.stringify(header);
  const jsonBytes = Buffer.byteLength(json);
  const prefixBytes = LOGS_MAGIC.length + 1 + varintLength(jsonBytes) + jsonBytes + varintLength(count);
  const records = section.length - start;
  const out = prefixBytes <= start ? section.subarray(start - prefixBytes) : Buffer.allocUnsafe(prefixBytes + records);
  LOGS_MAGIC.copy(out, 0);
  out[LOGS_MAGIC.length] = LOGS_WIRE_VERSION;
  let pos = writeVarint(out, LOGS_MAGIC.length + 1, jsonBytes);
  pos += out.write(json, pos, 'utf8');
  pos = writeVarint(out, pos, count);
  if (prefixBytes > start) section.copy(out, pos, start);
  return out;
}

/** A record section written ahead of time (see PackedLogBatch), with the figures envelopes need. */
export interface PackedRecords {
  /** The section is `buffer[start…]`; the bytes before it are room for the header. */
  readonly buffer: Buffer;
  readonly start: number;
  readonly count: number;
  /** What the batch holds in memory: its bytes (it makes no per-record objects). */
  readonly estimatedBytes: number;
  readonly fileKeys: readonly string[];
}

/** Room left in front of a packed section for its header: a container identity with its labels. */
export const PACKED_HEADROOM = 4096;

/**
 * A log batch whose records are already the bytes they will travel as. Why: a tailer writing
 * json-file lines straight into the wire format copies each message once and makes no string or
 * object per line; building LogRecords only for the encoder to turn them back into bytes was most
 * of the collector's CPU and garbage (BENCHMARKS.md, docker-logs). `records` is still there for
 * anything that wants them (the embedded pipeline, transforms, tests): decoded on first use, once.
 * Records must carry derived ids: `<container id>:<file key>:<offset>`.
 */
export class PackedLogBatch implements LogBatch {
  readonly type = 'logs';
  readonly version = 1;
  declare readonly records: readonly LogRecord[];
  /** Private fields, not properties: JSON (a dead letter) and spread copies see only the event's fields. */
  readonly #packed: PackedRecords;
  #decoded: readonly LogRecord[] | undefined;

  constructor(
    readonly source: string,
    readonly container: ContainerIdentity,
    packed: PackedRecords,
  ) {
    this.#packed = packed;
    // An own, enumerable property: a spread copy (`{ ...batch, container }`) gets the records.
    Object.defineProperty(this, 'records', { enumerable: true, get: () => this.decodedRecords() });
  }

  get [PACKED_FIGURES](): PackedFigures {
    return this.#packed;
  }

  wire(): Buffer {
    const { buffer, start, count, fileKeys } = this.#packed;
    return frame({ source: this.source, container: this.container, fileKeys }, count, buffer, start);
  }

  private decodedRecords(): readonly LogRecord[] {
    this.#decoded ??= readPackedRecords(this.#packed, this.container.id);
    return this.#decoded;
  }
}

/** The records of a packed section, their ids derived from `containerId`. */
export function readPackedRecords(packed: PackedRecords, containerId: string): LogRecord[] {
  const reader = new WireReader(packed.buffer, packed.start);
  const records = readRecords(reader, packed.count, `${containerId}:`, packed.fileKeys);
  // Our own writer made these bytes: not reading them back is a bug, not bad input.
  if (!reader.atEnd) throw new Error(`a packed log section has ${reader.remaining} bytes after its last record`);
  return records;
}

export type LogDecodeResult = { readonly ok: true; readonly event: LogBatch } | { readonly ok: false; readonly reason: string; readonly detail: string };

export function decodeLogBatch(value: Buffer): LogDecodeResult {
  if (value[4] !== LOGS_WIRE_VERSION) return { ok: false, reason: 'unknown_version', detail: `logs wire format ${value[4]} is not supported (expected ${LOGS_WIRE_VERSION})` };
  try {
    const r = new WireReader(value, 5);
    const header = JSON.parse(r.string()) as Partial<Header>;
    const { source, container, fileKeys } = header;
    if (typeof source !== 'string' || typeof container !== 'object' || container === null || typeof container.id !== 'string' || !Array.isArray(fileKeys)) {
      return { ok: false, reason: 'malformed', detail: 'logs batch header lacks source, container or fileKeys' };
    }
    const count = r.varint();
    const records = readRecords(r, count, `${container.id}:`, fileKeys);
    if (!r.atEnd) throw new RangeError(`${r.remaining} bytes after the last record`);
    return { ok: true, event: { type: 'logs', version: 1, source, container, records } };
  } catch (err) {
    return { ok: false, reason: 'malformed', detail: `logs batch: ${(err as Error).message}` };
  }
}
