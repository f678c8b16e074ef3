import assert from 'node:assert/strict';
import type { LogStream } from '../../../../core/event';
import { MultilineJoiner } from '../../../../collector/sources/docker_logs/multiline';
import { PartialReassembler, truncateUtf8, type RecordError } from '../../../../collector/sources/docker_logs/reassembler';

interface Out {
  offset: number;
  endOffset: number;
  stream: LogStream;
  message: string;
  error: RecordError | undefined;
  time: string;
}

function collector(): { out: Out[]; emit: (o: number, e: number, t: string, s: LogStream, m: string, b: number, err: RecordError | undefined) => void } {
  const out: Out[] = [];
  return { out, emit: (offset, endOffset, time, stream, message, _b, error) => void out.push({ offset, endOffset, stream, message, error, time }) };
}

describe('docker_logs partial reassembly', () => {
  it('joins partial records into one message spanning their byte range, with the first time', () => {
    const c = collector();
    const r = new PartialReassembler(1024, c.emit);
    r.push(0, 10, 't1', 'stdout', 'aaa', 3, true, undefined);
    assert.equal(r.heldOffset(), 0);
    r.push(10, 20, 't2', 'stdout', 'bbb', 3, true, undefined);
    r.push(20, 30, 't3', 'stdout', 'cc', 2, false, undefined);
    assert.deepEqual(c.out, [{ offset: 0, endOffset: 30, stream: 'stdout', message: 'aaabbbcc', error: undefined, time: 't1' }]);
    assert.equal(r.heldOffset(), Infinity);
  });

  it('keeps stdout and stderr apart when their records interleave', () => {
    const c = collector();
    const r = new PartialReassembler(1024, c.emit);
    r.push(0, 10, 't', 'stdout', 'out-', 4, true, undefined);
    r.push(10, 20, 't', 'stderr', 'err line', 8, false, undefined);
    r.push(20, 30, 't', 'stdout', 'end', 3, false, undefined);
    assert.deepEqual(c.out.map((o) => [o.stream, o.message, o.offset]), [['stderr', 'err line', 10], ['stdout', 'out-end', 0]]);
  });

  it('cuts a merged message at the cap, marks it truncated and counts it once', () => {
    const c = collector();
    const r = new PartialReassembler(10, c.emit);
    r.push(0, 1, 't', 'stdout', '123456', 6, true, undefined);
    r.push(1, 2, 't', 'stdout', '789abc', 6, true, undefined);
    r.push(2, 3, 't', 'stdout', 'def', 3, false, undefined);
    assert.deepEqual(c.out.map((o) => [o.message, o.error, o.endOffset]), [['123456789a', 'truncated', 3]]);
    assert.equal(r.takeTruncated(), 1);
    assert.equal(r.takeTruncated(), 0);
  });

  it('flushes held partials in file order when the file is final', () => {
    const c = collector();
    const r = new PartialReassembler(100, c.emit);
    r.push(5, 6, 't', 'stderr', 'e', 1, true, undefined);
    r.push(0, 5, 't', 'stdout', 'o', 1, true, undefined);
    r.flush(9);
    assert.deepEqual(c.out.map((o) => [o.offset, o.endOffset]), [[0, 9], [5, 9]]);
  });

  it('never cuts a UTF-8 character in half', () => {
    assert.equal(truncateUtf8('aé€😀', 4), 'aé');
    assert.equal(truncateUtf8('aé€😀', 6), 'aé€');
    assert.equal(Buffer.byteLength(truncateUtf8('😀'.repeat(100), 9)), 8);
  });
});

describe('docker_logs multiline', () => {
  const options = { start: /^\S/, maxLines: 3, maxBytes: 1000, timeoutMs: 100 };

  it('joins indented continuation lines to the record their start line opened', () => {
    const c = collector();
    const m = new MultilineJoiner(options, c.emit, () => 0);
    m.push(0, 10, 't', 'stdout', 'Exception: boom', 15, undefined);
    m.push(10, 20, 't', 'stdout', '  at a()', 8, undefined);
    m.push(20, 30, 't', 'stdout', 'next', 4, undefined);
    assert.deepEqual(c.out.map((o) => [o.message, o.offset, o.endOffset]), [['Exception: boom\n  at a()', 0, 20]]);
    assert.equal(m.heldOffset(), 20);
  });

  it('emits a held record after the timeout and at max_lines', () => {
    let now = 0;
    const c = collector();
    const m = new MultilineJoiner(options, c.emit, () => now);
    m.push(0, 1, 't', 'stdout', 'start', 5, undefined);
    m.flushExpired(50);
    assert.equal(c.out.length, 0);
    now = 100;
    m.flushExpired(100);
    assert.deepEqual(c.out.map((o) => o.message), ['start']);
    m.push(1, 2, 't', 'stdout', 'S', 1, undefined);
    m.push(2, 3, 't', 'stdout', ' 1', 2, undefined);
    m.push(3, 4, 't', 'stdout', ' 2', 2, undefined);
    assert.deepEqual(c.out.map((o) => o.message), ['start', 'S\n 1\n 2']);
  });

  it('passes unparseable lines through without joining them', () => {
    const c = collector();
    const m = new MultilineJoiner(options, c.emit, () => 0);
    m.push(0, 1, 't', 'stdout', 'start', 5, undefined);
    m.push(1, 2, '', 'stdout', '  garbage', 9, 'unparseable');
    m.flush();
    assert.deepEqual(c.out.map((o) => [o.message, o.error]), [['  garbage', 'unparseable'], ['start', undefined]]);
  });
});
