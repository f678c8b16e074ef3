import assert from 'node:assert/strict';
import { workloadId, type LogBatch, type LogRecord } from '../../../core/event';
import { decodeEvent, decodeLogBatch, encodeEvent, encodeLogBatch, LOGS_WIRE_VERSION } from '../../../core/transport';

const CONTAINER = 'a'.repeat(64);
const FILE = '2049:1234567:0123456789abcdef0123456789abcdef01234567';

function batch(records: LogRecord[]): LogBatch {
  return {
    type: 'logs', version: 1, source: 'logs',
    container: {
      node: 'n1', id: CONTAINER, name: 'web', image: 'busybox', labels: { 'app.kubernetes.io/name': 'web' }, containerName: 'web', isSandbox: false,
      workload: { kind: 'standalone', namespace: 'standalone', replicaSet: 'web', pod: 'web', id: workloadId('standalone', 'standalone', 'web') },
    },
    records,
  };
}

function rec(offset: number, endOffset: number, message: string, extra: Partial<LogRecord> = {}, fileKey = FILE): LogRecord {
  return { id: `${CONTAINER}:${fileKey}:${offset}`, time: `2026-12-03T11:09:59.${String(offset).padStart(9, '0')}Z`, stream: 'stdout', message, origin: { fileKey, offset, endOffset }, ...extra };
}

describe('logs wire format 2 (log-codec)', () => {
  it('round-trips records exactly: derived ids, explicit ids, errors, streams, several files, offsets going backwards', () => {
    const event = batch([
      rec(0, 100, 'hello'),
      rec(100, 230, 'wörld ✓ 🙂', { stream: 'stderr' }),
      // A joined partial record completes after a later line of the other stream.
      rec(500, 600, 'later line'),
      rec(230, 500, 'x'.repeat(20_000), { error: 'truncated' }),
      rec(600, 601, '', { error: 'unparseable', time: '' }),
      rec(601, 700, 'bad \ufffd utf8', { error: 'invalid_utf8' }),
      rec(0, 40, 'next file', {}, `2049:1234568:${'f'.repeat(40)}`),
      { ...rec(7, 8, 'api line', {}, 'api'), id: `${CONTAINER}:api:2026-12-03T11:09:59.000000001Z:3` },
      rec(2 ** 40, 2 ** 40 + 10, 'far into a big file'),
    ]);
    const value = encodeLogBatch(event);
    const decoded = decodeLogBatch(value);
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.detail);
    assert.deepEqual(decoded.event, event);
  });

  it('is what encodeEvent writes for logs, and decodeEvent reads it', () => {
    const event = batch([rec(0, 10, 'a'), rec(10, 20, 'b')]);
    const value = encodeEvent(event);
    assert.equal(value.subarray(0, 4).toString('latin1'), 'CSLB');
    const decoded = decodeEvent(value);
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.event, event);
  });

  it('still reads JSON log batches (format 1)', () => {
    const event = batch([rec(0, 10, 'a')]);
    const decoded = decodeEvent(Buffer.from(JSON.stringify(event)));
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.event, event);
  });

  it('is far smaller than JSON for 256-byte lines', () => {
    const records = Array.from({ length: 2000 }, (_, i) => rec(i * 300, i * 300 + 300, `line ${String(i).padStart(9, '0')} ${'abcdefghij'.repeat(25)}`.slice(0, 255)));
    const event = batch(records);
    const binary = encodeLogBatch(event).length;
    const json = Buffer.byteLength(JSON.stringify(event));
    assert.ok(binary / records.length < 275, `${binary / records.length} bytes per record`);
    assert.ok(json / binary > 2, `json ${json} vs binary ${binary}`);
  });

  it('calls every damaged value malformed or unknown, never throws', () => {
    const good = encodeLogBatch(batch([rec(0, 100, 'hello'), rec(100, 200, 'there')]));
    const wrongVersion = Buffer.from(good);
    wrongVersion[4] = LOGS_WIRE_VERSION + 1;
    assert.deepEqual(reason(wrongVersion), 'unknown_version');
    for (let cut = 5; cut < good.length; cut++) assert.equal(reason(good.subarray(0, cut)), 'malformed', `cut at ${cut}`);
    assert.equal(reason(Buffer.concat([good, Buffer.from([0])])), 'malformed');
    const badHeader = Buffer.concat([good.subarray(0, 5), Buffer.from([2]), Buffer.from('{}'), Buffer.from([0])]);
    assert.equal(reason(badHeader), 'malformed');
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      const noisy = Buffer.from(good);
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      noisy[5 + (seed % (noisy.length - 5))] = seed & 0xff;
      const r = decodeEvent(noisy); // must not throw; a flipped message byte may still decode
      assert.ok(r.ok || ['malformed', 'unknown_version'].includes(r.reason));
    }
  });
});

function reason(value: Buffer): string {
  const r = decodeEvent(value);
  return r.ok ? 'ok' : r.reason;
}
