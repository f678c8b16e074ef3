import assert from 'node:assert/strict';
import type { LogRecord } from '../../../../core/event';
import { FileDecoder, type DecoderOptions } from '../../../../collector/sources/docker_logs/file-decoder';

const T = '2024-05-01T10:00:00.000000001Z';
const line = (log: string, stream = 'stdout'): string => `{"log":${JSON.stringify(log)},"stream":"${stream}","time":"${T}"}\n`;

function decoder(extra: Partial<DecoderOptions> = {}): FileDecoder {
  return new FileDecoder({ containerId: 'c1', fileKey: 'k', maxLineBytes: 64 * 1024, now: () => 0, ...extra });
}

/** Feeds `text` in chunks of `size` bytes, as a tailer would, and returns the records. */
function feedAll(d: FileDecoder, data: Buffer, size: number): LogRecord[] {
  const out: LogRecord[] = [];
  for (let at = 0; at < data.length; at += size) {
    const chunk = Buffer.alloc(size + 7, 0x41); // stale bytes after the chunk must be ignored
    const n = data.copy(chunk, 0, at, Math.min(at + size, data.length));
    d.feed(chunk, n, at);
    out.push(...d.take());
  }
  return out;
}

describe('docker_logs file decoder', () => {
  const file = Buffer.from(line('one\n') + line('tw') + line('o\n') + line('err\n', 'stderr') + line('three\n'));

  it('yields the same records and ids whatever the read size', () => {
    const whole = feedAll(decoder(), file, file.length);
    assert.deepEqual(whole.map((r) => r.message), ['one', 'two', 'err', 'three']);
    for (const size of [1, 3, 17, 64]) assert.deepEqual(feedAll(decoder(), file, size), whole, `read size ${size}`);
  });

  it('gives each record an id from its container, file key and first byte offset', () => {
    const records = feedAll(decoder(), file, file.length);
    const firstLen = Buffer.byteLength(line('one\n'));
    assert.deepEqual(records.slice(0, 2).map((r) => [r.id, r.origin.offset]), [['c1:k:0', 0], [`c1:k:${firstLen}`, firstLen]]);
    assert.equal((records[3] as LogRecord).origin.endOffset, file.length);
  });

  it('waits for an unfinished last line, and marks it truncated only when the file is final', () => {
    const d = decoder();
    const partial = Buffer.from(line('a\n') + '{"log":"cut');
    assert.equal(feedAll(d, partial, partial.length).length, 1);
    assert.equal(d.safeOffset(), Buffer.byteLength(line('a\n')));
    d.finish();
    const [rec] = d.take();
    assert.deepEqual([rec?.error, rec?.message], ['truncated', '{"log":"cut']);
    assert.equal(d.takeCounts().truncated, 1);
    assert.equal(d.safeOffset(), partial.length);
  });

  it('splits a record cut by a crash from the complete one appended after it', () => {
    const data = Buffer.from(`{"log":"cut mid-wr${line('next\n')}`);
    const recs = feedAll(decoder(), data, data.length);
    assert.deepEqual(recs.map((r) => [r.message, r.error, r.origin.offset]), [['{"log":"cut mid-wr', 'truncated', 0], ['next', undefined, 18]]);
  });

  it('forwards garbage and NUL runs raw, counted, without losing the next good line', () => {
    const data = Buffer.concat([Buffer.from('not json\n'), Buffer.alloc(50, 0), Buffer.from('\n'), Buffer.from(line('ok\n'))]);
    const d = decoder();
    const recs = feedAll(d, data, 16);
    assert.deepEqual(recs.map((r) => r.error), ['unparseable', 'unparseable', undefined]);
    assert.equal(recs[2]?.message, 'ok');
    assert.equal(d.takeCounts().unparseable, 2);
  });

  it('cuts a physical line longer than any json-file record, and resumes at the next newline', () => {
    const d = decoder({ maxLineBytes: 1024 });
    const huge = Buffer.concat([Buffer.alloc(300 * 1024, 0x78), Buffer.from('\n'), Buffer.from(line('after\n'))]);
    const recs = feedAll(d, huge, 64 * 1024);
    assert.deepEqual(recs.map((r) => [r.error, r.message.length]), [['truncated', 1024], [undefined, 5]]);
    assert.equal(recs[0]?.origin.endOffset, 300 * 1024 + 1);
    assert.equal(d.takeCounts().line_too_long, 1);
  });

  it('reassembles a 1 MiB message from 16 KiB partial records and caps it when asked', () => {
    const msg = 'x'.repeat(1024 * 1024);
    let text = '';
    for (let at = 0; at < msg.length; at += 16384) text += line(msg.slice(at, at + 16384) + (at + 16384 >= msg.length ? '\n' : ''));
    const data = Buffer.from(text);
    assert.deepEqual(feedAll(decoder({ maxLineBytes: 2 * 1024 * 1024 }), data, 256 * 1024).map((r) => [r.message.length, r.error]), [[1024 * 1024, undefined]]);
    const capped = decoder({ maxLineBytes: 100 * 1024 });
    assert.deepEqual(feedAll(capped, data, 256 * 1024).map((r) => [r.message.length, r.error]), [[100 * 1024, 'truncated']]);
    assert.equal(capped.takeCounts().truncated, 1);
  });

  it('holds the checkpoint at a partial record still waiting for its end', () => {
    const d = decoder();
    const data = Buffer.from(line('par') + line('err\n', 'stderr'));
    const recs = feedAll(d, data, data.length);
    assert.deepEqual(recs.map((r) => r.message), ['err']);
    assert.equal(d.safeOffset(), 0);
  });

  it('joins multiline records when a start pattern is set', () => {
    const d = decoder({ multiline: { start: /^\S/, maxLines: 100, maxBytes: 10000, timeoutMs: 1000 } });
    const data = Buffer.from(line('Error\n') + line('  at x\n') + line('Next\n'));
    assert.deepEqual(feedAll(d, data, data.length).map((r) => r.message), ['Error\n  at x']);
    d.finish();
    assert.deepEqual(d.take().map((r) => r.message), ['Next']);
  });
});

describe('docker_logs file decoder: batches', () => {
  const lines = Array.from({ length: 50 }, (_, i) => line(`line ${i} ${'x'.repeat(i * 7)}\n`)).join('');
  const data = Buffer.from(lines + line('part') + line('ial\n') + line('{bad', 'stdout').replace('{"log"', '{"lg"'));

  it('closes a batch before it passes batch_max_bytes, or at batch_max_records', () => {
    for (const [maxBytes, maxRecords] of [[600, 1000], [1 << 20, 7]] as const) {
      const d = decoder({ batchMaxBytes: maxBytes, batchMaxRecords: maxRecords });
      d.feed(data, data.length, 0);
      const batches = d.takeBatches();
      assert.ok(batches.length > 3);
      for (const b of batches) {
        assert.ok(b.count <= maxRecords, `${b.count} records`);
        assert.ok(b.buffer.length - b.start <= maxBytes || b.count === 1, `${b.buffer.length - b.start} bytes`);
      }
      assert.equal(batches.reduce((n, b) => n + b.count, 0), 52);
    }
  });

  it('gives the same records however they are cut into batches', () => {
    const whole = decoder();
    whole.feed(data, data.length, 0);
    const expected = whole.take();
    assert.deepEqual(expected.map((r) => r.message).slice(-2), ['partial', `{"lg":"{bad","stream":"stdout","time":"${T}"}`]);
    assert.equal(expected.at(-1)?.error, 'unparseable');
    const cut = decoder({ batchMaxBytes: 300, batchMaxRecords: 3 });
    cut.feed(data, data.length, 0);
    assert.deepEqual(cut.take(), expected);
  });

  it('reports the lowest start offset of each batch, for its checkpoint', () => {
    const d = decoder({ batchMaxRecords: 1 });
    // stdout's partial record starts first and completes after the stderr line.
    const text = Buffer.from(line('a') + line('err\n', 'stderr') + line('b\n'));
    d.feed(text, text.length, 1000);
    const batches = d.takeBatches();
    const firstLine = Buffer.byteLength(line('a'));
    assert.deepEqual(batches.map((b) => b.minOffset), [1000 + firstLine, 1000]);
  });
});

describe('docker_logs file decoder: plain lines copied as bytes', () => {
  it('agrees with JSON.parse on 3000 random records, ASCII-only reads and mixed ones', () => {
    let seed = 11;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const alphabet = ['a', 'n', ' ', '"', '\\', '\n', '\t', 'é', '😀', '\u0001', '/', '\\n'];
    for (const asciiOnly of [true, false]) {
      const letters = asciiOnly ? alphabet.filter((c) => /^[\x20-\x7e]+$/.test(c)) : alphabet;
      const logs: string[] = [];
      for (let i = 0; i < 1500; i++) {
        let log = '';
        for (let j = rnd(30); j > 0; j--) log += letters[rnd(letters.length)] as string;
        logs.push(`${log}\n`);
      }
      const data = Buffer.from(logs.map((l, i) => line(l, i % 3 ? 'stdout' : 'stderr')).join(''));
      const d = decoder();
      d.feed(data, data.length, 0);
      d.finish();
      const got = d.take();
      assert.deepEqual(got.map((r) => r.message), logs.map((l) => l.slice(0, -1)));
      assert.deepEqual(got.map((r) => r.stream), logs.map((_, i) => (i % 3 ? 'stdout' : 'stderr')));
      assert.ok(got.every((r) => r.time === T && r.error === undefined));
    }
  });
});
