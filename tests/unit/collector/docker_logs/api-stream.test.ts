import assert from 'node:assert/strict';
import { ApiDecoder, FrameDemuxer, sinceParam } from '../../../../collector/sources/docker_logs/api-stream';

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('docker_logs API stream', () => {
  it('demultiplexes frames split at any byte', () => {
    const body = Buffer.concat([frame(1, 'T1 a\n'), frame(2, 'T2 bb\n'), frame(1, 'T3 c')]);
    for (const size of [1, 5, 9, body.length]) {
      const got: string[] = [];
      const d = new FrameDemuxer();
      for (let at = 0; at < body.length; at += size) d.push(body.subarray(at, at + size), (s, p) => void got.push(`${s}:${p.toString()}`));
      assert.deepEqual(got, ['stdout:T1 a\n', 'stderr:T2 bb\n', 'stdout:T3 c'], `chunk ${size}`);
    }
  });

  it('strips the timestamp of every frame, joining partial frames (same timestamp) into one record', () => {
    const d = new ApiDecoder({ containerId: 'c', maxLineBytes: 1024 });
    d.frame('stdout', Buffer.from('2024-05-01T10:00:00.000000001Z first part '));
    d.frame('stderr', Buffer.from('2024-05-01T10:00:00.000000002Z other\n'));
    d.frame('stdout', Buffer.from('2024-05-01T10:00:00.000000001Z second part\n'));
    const recs = d.take();
    assert.deepEqual(recs.map((r) => [r.stream, r.message, r.time]), [
      ['stderr', 'other', '2024-05-01T10:00:00.000000002Z'],
      ['stdout', 'first part second part', '2024-05-01T10:00:00.000000001Z'],
    ]);
    assert.equal(recs[1]?.id, 'c:api:2024-05-01T10:00:00.000000001Z:0');
  });

  it('skips the records already delivered at the resume timestamp, keeping their ids stable', () => {
    const t = '2024-05-01T10:00:00.5Z';
    const d = new ApiDecoder({ containerId: 'c', maxLineBytes: 1024, skipAt: { time: t, count: 1 } });
    d.frame('stdout', Buffer.from(`${t} old\n`));
    d.frame('stdout', Buffer.from(`${t} same time, new\n`));
    d.frame('stdout', Buffer.from('2024-05-01T10:00:01Z later\n'));
    assert.deepEqual(d.take().map((r) => r.id), [`c:api:${t}:1`, 'c:api:2024-05-01T10:00:01Z:0']);
  });

  it('marks a frame without a timestamp unparseable', () => {
    const d = new ApiDecoder({ containerId: 'c', maxLineBytes: 1024 });
    d.frame('stdout', Buffer.from('no timestamp here\n'));
    assert.deepEqual(d.take().map((r) => r.error), ['unparseable']);
    assert.equal(d.takeCounts().unparseable, 1);
  });

  it('turns an RFC 3339 nanosecond time into Docker\'s since parameter', () => {
    assert.equal(sinceParam('2024-05-01T10:00:00.000000123Z'), '1714557600.000000123');
    assert.equal(sinceParam('2024-05-01T10:00:00Z'), '1714557600.000000000');
    assert.equal(sinceParam('garbage'), undefined);
  });
});

describe('docker_logs API stream: split messages of the local driver', () => {
  const t1 = '2024-05-01T10:00:00.000000001Z';
  const t2 = '2024-05-01T10:00:00.000000002Z';

  it('joins chunks sharing a timestamp whose last one has no newline, ending it at the next timestamp', () => {
    let now = 0;
    const d = new ApiDecoder({ containerId: 'c', maxLineBytes: 1 << 20, partialTimeoutMs: 1000, now: () => now });
    d.frame('stdout', Buffer.from(`${t1} ${'a'.repeat(16384)}`));
    d.frame('stdout', Buffer.from(`${t1} tail`));
    assert.equal(d.take().length, 0);
    d.frame('stdout', Buffer.from(`${t2} next\n`));
    assert.deepEqual(d.take().map((r) => [r.message.length, r.time]), [[16388, t1], [4, t2]]);
    d.frame('stdout', Buffer.from(`${t2} no newline, nothing after`));
    now = 999;
    d.tick();
    assert.equal(d.take().length, 0);
    now = 1000;
    d.tick();
    assert.deepEqual(d.take().map((r) => r.message), ['no newline, nothing after']);
  });
});
