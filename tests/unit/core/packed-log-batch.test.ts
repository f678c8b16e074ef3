import assert from 'node:assert/strict';
import { envelope, workloadId, Ack, type ContainerIdentity, type LogRecord } from '../../../core/event';
import { decodeLogBatch, encodeLogBatch, PackedLogBatch } from '../../../core/transport';
import { LogRecordsWriter } from '../../../core/transport/log-records';

const CONTAINER = 'b'.repeat(64);
const FILE = '2049:77:fingerprint';

function identity(labels: Record<string, string> = {}): ContainerIdentity {
  return {
    node: 'n1', id: CONTAINER, name: 'web', image: 'busybox', labels, containerName: 'web', isSandbox: false,
    workload: { kind: 'standalone', namespace: 'standalone', replicaSet: 'web', pod: 'web', id: workloadId('standalone', 'standalone', 'web') },
  };
}

function rec(offset: number, endOffset: number, time: string, message: string, extra: Partial<LogRecord> = {}): LogRecord {
  return { id: `${CONTAINER}:${FILE}:${offset}`, time, stream: 'stdout', message, origin: { fileKey: FILE, offset, endOffset }, ...extra };
}

/** A json-file-like buffer holding each record's time and message, and where they are. */
function source(records: readonly LogRecord[]): { buf: Buffer; at: Array<[number, number, number, number]> } {
  const parts: Buffer[] = [];
  const at: Array<[number, number, number, number]> = [];
  let pos = 3;
  parts.push(Buffer.from('xyz'));
  for (const r of records) {
    const t = Buffer.from(r.time);
    const m = Buffer.from(r.message);
    at.push([pos, pos + t.length, pos + t.length + 1, pos + t.length + 1 + m.length]);
    parts.push(t, Buffer.from('|'), m);
    pos += t.length + 1 + m.length;
  }
  return { buf: Buffer.concat(parts), at };
}

function packed(records: readonly LogRecord[], how: 'bytes' | 'strings', headroom: number, estimatedBytes = 1000): PackedLogBatch {
  const w = new LogRecordsWriter();
  w.begin();
  const { buf, at } = source(records);
  records.forEach((r, i) => {
    const [ts, te, ms, me] = at[i] as [number, number, number, number];
    if (how === 'bytes') w.addBytes(r.stream, r.origin.offset, r.origin.endOffset, buf, ts, te, ms, me);
    else w.addRecord(r, 0, false);
  });
  const count = w.count;
  const buffer = w.seal(headroom);
  return new PackedLogBatch('logs', identity(), { buffer, start: headroom, count, estimatedBytes, fileKeys: [FILE] });
}

describe('packed log batches (records written as wire bytes)', () => {
  const records = [
    rec(0, 90, '2026-12-04T21:00:00.000000001Z', 'first'),
    rec(90, 200, '2026-12-04T21:00:00.000000002Z', 'same second, 2 ns later: the time shares its prefix'),
    rec(200, 260, '2026-12-04T21:00:00.000000002Z', 'wörld ✓ 🙂', { stream: 'stderr' }),
    rec(260, 300, '2026-12-04T21:00:01Z', ''),
    rec(300, 390, '2026-12-04T21:00:01Z\u00e9', 'a time that is not ASCII shares only its ASCII prefix'),
    rec(390, 480, '2026-12-04T21:00:01Z\u00e9x', 'and the next one shares no more than that'),
  ];

  it('decodes the same records whether they were written from byte ranges, strings or LogRecords', () => {
    const fromBytes = encodeLogBatch(packed(records, 'bytes', 0));
    const fromStrings = encodeLogBatch(packed(records, 'strings', 0));
    const fromRecords = encodeLogBatch({ type: 'logs', version: 1, source: 'logs', container: identity(), records });
    const decoded = [fromBytes, fromStrings, fromRecords].map((v) => decodeLogBatch(v));
    for (const d of decoded) {
      assert.ok(d.ok, d.ok ? '' : d.detail);
      assert.deepEqual(d.event.records, records);
    }
  });

  it('frames the header into its headroom, or copies when the header does not fit', () => {
    for (const headroom of [0, 16, 4096]) {
      const batch = packed(records, 'bytes', headroom);
      const value = encodeLogBatch(batch);
      const decoded = decodeLogBatch(value);
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.detail);
      assert.deepEqual(decoded.event.records, records, `headroom ${headroom}`);
      assert.deepEqual(decoded.event.container, identity());
      assert.deepEqual(encodeLogBatch(batch), value, 'framing twice gives the same bytes');
    }
  });

  it('decodes its records on demand, once, and a spread copy keeps them', () => {
    const batch = packed(records, 'bytes', 64);
    assert.equal(batch.records, batch.records, 'decoded once');
    assert.deepEqual(batch.records, records);
    const copy = { ...batch, container: identity({ team: 'a' }) };
    assert.deepEqual(copy.records, records);
    // A copy is a plain batch: encoding it writes its own (new) container, not the packed header.
    const decoded = decodeLogBatch(encodeLogBatch(copy));
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.event.container.labels, { team: 'a' });
    // JSON (a dead letter) holds the event's fields only, not the packed bytes.
    const json = JSON.parse(JSON.stringify(batch)) as { records: unknown[] };
    assert.deepEqual(Object.keys(json).sort(), ['container', 'records', 'source', 'type', 'version']);
    assert.equal(json.records.length, records.length);
    assert.deepEqual(Object.keys(copy).sort(), ['container', 'records', 'source', 'type', 'version']);
  });

  it('sizes and counts an envelope from its figures', () => {
    const env = envelope(packed(records, 'bytes', 64, 12_345), new Ack());
    assert.equal(env.count, records.length);
    assert.equal(env.sizeBytes, 12_345, 'the figure given, not a per-record estimate');
  });

  it('refuses a writer used outside begin()/seal(), or two writers interleaved', () => {
    const a = new LogRecordsWriter();
    assert.throws(() => a.addRecord(records[0] as LogRecord, 0, false), /outside begin/);
    a.begin();
    const b = new LogRecordsWriter();
    b.begin();
    assert.throws(() => a.addRecord(records[0] as LogRecord, 0, false), /interleaved/);
    b.seal();
  });
});
