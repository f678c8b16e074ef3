import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileDecoder, type DecodeCounts } from '../../../collector/sources/docker_logs/file-decoder';

/**
 * Malformed json-file corpus (cases/*.log) → expected records and counts (cases/*.expected.json).
 * Each file is fed in 7-byte reads (every line crosses reads) and then finished, as a rotated
 * file is. Regenerate with CARGOSCOPE_UPDATE_GOLDEN=1 and review the diff.
 */
const dir = join(process.cwd(), 'tests', 'golden', 'docker_logs', 'cases');

function decode(data: Buffer, readSize: number, maxLineBytes = 64 * 1024): { records: unknown[]; counts: DecodeCounts } {
  const d = new FileDecoder({ containerId: 'c', fileKey: 'k', maxLineBytes, now: () => 0 });
  const chunk = Buffer.alloc(readSize);
  const records: unknown[] = [];
  for (let at = 0; at < data.length; at += readSize) {
    const n = data.copy(chunk, 0, at, at + readSize);
    d.feed(chunk, n, at);
    records.push(...d.take().map(summary));
  }
  d.finish();
  records.push(...d.take().map(summary));
  return { records, counts: d.takeCounts() };
}

function summary(r: { id: string; stream: string; message: string; error?: string; time: string; origin: { offset: number; endOffset: number } }): unknown {
  const text = r.message.length > 60 ? `${r.message.slice(0, 60)}…(${r.message.length})` : r.message;
  return { id: r.id, range: [r.origin.offset, r.origin.endOffset], stream: r.stream, time: r.time, error: r.error ?? null, message: text };
}

describe('docker_logs golden: malformed json-file corpus', () => {
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.log')).sort()) {
    it(`handles ${name} without a crash, each problem counted`, () => {
      const data = readFileSync(join(dir, name));
      const actual = decode(data, 7);
      assert.deepEqual(decode(data, 64 * 1024), actual, 'the read size does not change the result');
      const text = `${JSON.stringify(actual, null, 1)}\n`;
      const path = join(dir, name.replace(/\.log$/, '.expected.json'));
      if (process.env['CARGOSCOPE_UPDATE_GOLDEN'] === '1') writeFileSync(path, text);
      assert.ok(existsSync(path), `missing ${path}; run with CARGOSCOPE_UPDATE_GOLDEN=1`);
      assert.equal(text, readFileSync(path, 'utf8'));
    });
  }

  it('handles a multi-MiB line without a newline (a NUL-filled region after a crash) within the cap', () => {
    const data = Buffer.concat([Buffer.alloc(6 * 1024 * 1024, 0), Buffer.from('\n{"log":"ok\\n","stream":"stdout","time":"2024-05-01T10:00:00Z"}\n')]);
    const { records, counts } = decode(data, 256 * 1024, 1024 * 1024);
    assert.equal(records.length, 2);
    assert.deepEqual([(records[0] as { error: string }).error, (records[1] as { message: string }).message], ['truncated', 'ok']);
    assert.equal(counts.line_too_long, 1);
  });
});
