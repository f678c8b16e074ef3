import { gunzipSync } from 'node:zlib';
import type { Event } from '../event';
import { decodeLogBatch, encodeLogBatch, isLogBatchValue, LOGS_CONTENT_TYPE } from './log-codec';

/**
 * Wire format of every topic: UTF-8 JSON of the event, with `type` and `version` checked on the way
 * in. JSON keeps the topics readable with kcat and any language; Kafka-level gzip takes care of
 * size. Log batches are the exception (log-codec.ts): at hundreds of thousands of lines a second
 * their JSON was most of the shipping cost, so they travel in a compact binary batch, told apart
 * by its magic bytes (JSON values start with `{`); JSON log batches (format 1) are still read.
 * A value may also be gzip'd as a whole (magic 1f 8b; see KafkaTransport.compress).
 * A value that fails these checks is a poison record for the dead letter, never a crash.
 */
export const CONTENT_TYPE = 'application/vnd.cargoscope.event+json';

/** The content-type header for an event's value. */
export function contentTypeOf(event: Event): string {
  return event.type === 'logs' ? LOGS_CONTENT_TYPE : CONTENT_TYPE;
}

const KNOWN: Record<string, number> = { metrics: 1, logs: 1, rollups: 1, deadletter: 1 };

export function encodeEvent(event: Event): Buffer {
  if (event.type === 'logs') return encodeLogBatch(event);
  return Buffer.from(JSON.stringify(event));
}

export type DecodeResult = { readonly ok: true; readonly event: Event } | { readonly ok: false; readonly reason: string; readonly detail: string };

/** A gzip'd value may not inflate past this (a batch is ≤ ~1 MiB, or one record ≤ max_line_bytes). */
const MAX_INFLATED_BYTES = 512 * 1024 * 1024;

export function decodeEvent(value: Buffer | null): DecodeResult {
  if (value === null || value.length === 0) return { ok: false, reason: 'empty', detail: 'message has no value (tombstone?)' };
  if (value[0] === 0x1f && value[1] === 0x8b) {
    let inflated: Buffer;
    try {
      inflated = gunzipSync(value, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (err) {
      return { ok: false, reason: 'malformed', detail: `gzip'd value: ${(err as Error).message}` };
    }
    if (inflated[0] === 0x1f && inflated[1] === 0x8b) return { ok: false, reason: 'malformed', detail: "gzip'd value inflates to another gzip" };
    return decodeEvent(inflated);
  }
  if (isLogBatchValue(value)) return decodeLogBatch(value);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: 'unparseable', detail: (err as Error).message };
  }
  if (parsed === null || typeof parsed !== 'object') return { ok: false, reason: 'unparseable', detail: 'value is not a JSON object' };
  const { type, version } = parsed as { type?: unknown; version?: unknown };
  if (typeof type !== 'string' || !(type in KNOWN)) return { ok: false, reason: 'unknown_type', detail: `unknown event type ${JSON.stringify(type)}` };
  if (version !== KNOWN[type]) return { ok: false, reason: 'unknown_version', detail: `${type} version ${JSON.stringify(version)} is not supported (expected ${KNOWN[type]})` };
  if (!hasShape(type, parsed as Record<string, unknown>)) return { ok: false, reason: 'malformed', detail: `${type} event is missing required fields` };
  return { ok: true, event: parsed as Event };
}

/** The fields the consumers dereference without checking; deeper problems are the sinks' to reject. */
function hasShape(type: string, v: Record<string, unknown>): boolean {
  switch (type) {
    case 'metrics':
      return typeof v.node === 'string' && typeof v.scrapedAtMs === 'number' && Array.isArray(v.containers);
    case 'logs':
      return typeof v.container === 'object' && v.container !== null && Array.isArray(v.records);
    case 'rollups':
      return typeof v.atMs === 'number' && Array.isArray(v.series);
    default:
      return typeof v.reason === 'string' && typeof v.payload === 'string';
  }
}
