import assert from 'node:assert/strict';
import { ParsedLine, parseJsonFileLine } from '../../../../collector/sources/docker_logs/json-file-parser';

function parse(line: string | Buffer): ParsedLine {
  const buf = typeof line === 'string' ? Buffer.from(line) : line;
  const out = new ParsedLine();
  parseJsonFileLine(buf, 0, buf.length, out);
  return out;
}

/** What Docker writes (moby's MarshalJSONBuf key order), built with JSON.stringify for the string. */
function dockerLine(log: string, stream = 'stdout', time = '2024-05-01T10:00:00.123456789Z'): string {
  return `{"log":${JSON.stringify(log)},"stream":"${stream}","time":"${time}"}`;
}

describe('docker_logs json-file parser', () => {
  it('parses a complete record and strips Docker\'s trailing newline', () => {
    const p = parse(dockerLine('hello world\n'));
    assert.deepEqual([p.ok, p.stream, p.message, p.partial, p.time, p.error, p.bytes], [true, 'stdout', 'hello world', false, '2024-05-01T10:00:00.123456789Z', undefined, 11]);
  });

  it('marks a record without a trailing newline as partial', () => {
    const p = parse(dockerLine('first 16 KiB', 'stderr'));
    assert.equal(p.partial, true);
    assert.equal(p.stream, 'stderr');
    assert.equal(p.message, 'first 16 KiB');
  });

  it('gives exactly what JSON.parse gives for escapes, unicode, quotes and empty messages', () => {
    const samples = ['tab\there\n', 'quote " and \\ backslash\n', 'crlf\r\n', 'héllo wörld ✓ 😀\n', '\n', '', 'no newline é', '\u2028sep\n', '<html>&amp;\n', 'a\u0000b\n'];
    for (const log of samples) {
      const p = parse(dockerLine(log));
      const complete = log.endsWith('\n');
      assert.equal(p.ok, true, log);
      assert.equal(p.message, complete ? log.slice(0, -1) : log, JSON.stringify(log));
      assert.equal(p.partial, !complete);
      assert.equal(p.bytes, Buffer.byteLength(p.message));
    }
  });

  it('agrees with JSON.parse on 2000 random records', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const alphabet = ['a', 'Z', ' ', '"', '\\', '\n', '\t', 'é', '€', '😀', '\u0001', '/', '{', '}', ','];
    for (let i = 0; i < 2000; i++) {
      let log = '';
      for (let j = rnd(40); j > 0; j--) log += alphabet[rnd(alphabet.length)] as string;
      if (rnd(3) > 0) log += '\n';
      const line = dockerLine(log, rnd(2) ? 'stdout' : 'stderr');
      const p = parse(line);
      const ref = JSON.parse(line) as { log: string; stream: string; time: string };
      assert.equal(p.ok, true);
      assert.equal(p.message, ref.log.endsWith('\n') ? ref.log.slice(0, -1) : ref.log);
      assert.equal(p.stream, ref.stream);
      assert.equal(p.time, ref.time);
    }
  });

  it('falls back to JSON.parse for attrs and other key orders', () => {
    const withAttrs = '{"log":"x\\n","stream":"stdout","attrs":{"tag":"web"},"time":"2024-05-01T10:00:00Z"}';
    assert.deepEqual([parse(withAttrs).ok, parse(withAttrs).message], [true, 'x']);
    const reordered = '{"stream":"stderr","time":"2024-05-01T10:00:00Z","log":"y\\n"}';
    assert.deepEqual([parse(reordered).ok, parse(reordered).stream, parse(reordered).message], [true, 'stderr', 'y']);
  });

  it('marks non-JSON, wrong shapes and NUL garbage unparseable, with the raw text', () => {
    for (const bad of ['plain text', '{"log":"x\\n"}', '{"log":1,"stream":"stdout","time":"t"}', '[1,2]', '\0\0\0\0', '{"log":"unterminated', '']) {
      const p = parse(bad);
      assert.equal(p.ok, false, bad);
      assert.equal(p.error, 'unparseable');
      assert.equal(p.message, bad);
    }
  });

  it('detects invalid UTF-8 on both the fast and the slow path', () => {
    const fast = Buffer.concat([Buffer.from('{"log":"bad '), Buffer.from([0xc3, 0x28]), Buffer.from('\\n","stream":"stdout","time":"2024-05-01T10:00:00Z"}')]);
    const p = parse(fast);
    assert.deepEqual([p.ok, p.error, p.partial], [true, 'invalid_utf8', false]);
    const raw = parse(Buffer.from([0x66, 0xff, 0xfe]));
    assert.deepEqual([raw.ok, raw.error], [false, 'invalid_utf8']);
  });
});
