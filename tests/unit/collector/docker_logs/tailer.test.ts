import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerLogsSource } from '../../../../collector/sources/docker_logs/source';
import { StaticLogTargets } from '../../../../collector/sources/docker_logs/targets';
import { CaptureContext, config, FakeDockerLog, numbered, sameSequence, until } from './helpers';

const ID = 'a'.repeat(64);
const ERRORS = 'cargoscope_component_errors_total';
const DISCARDED = 'cargoscope_component_discarded_events_total';

/** The docker_logs hold processes this process started (found by parent pid and script in /proc). */
function holdProcessesOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === parent && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('hold-process-child');
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

describe('docker_logs tailer (files on disk, no Docker)', function () {
  this.timeout(20_000);
  let root: string;
  let running: DockerLogsSource[] = [];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cs-logs-'));
    running = [];
  });
  afterEach(async () => {
    await Promise.all(running.map((s) => s.shutdown(Date.now() + 1000)));
    rmSync(root, { recursive: true, force: true });
  });

  async function startSource(log: FakeDockerLog, cap: CaptureContext, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}): Promise<DockerLogsSource> {
    const source = new DockerLogsSource(config(root, extra), { targets: new StaticLogTargets([log.target(labels)]) });
    running.push(source);
    await source.start(cap.ctx);
    return source;
  }

  it('emits every line once, in order, including what was written before it started', async () => {
    const log = new FakeDockerLog(root, ID);
    log.write(numbered(1, 500));
    const cap = new CaptureContext(join(root, 'data'));
    await startSource(log, cap);
    log.write(numbered(501, 1000));
    await until('1000 lines', () => cap.records().length >= 1000);
    assert.equal(sameSequence(cap.messages(), numbered(1, 1000)), undefined);
    assert.equal(new Set(cap.records().map((r) => r.id)).size, 1000);
  });

  it('drains each renamed file to its end across rapid rotations: no gaps', async () => {
    const log = new FakeDockerLog(root, ID, 3);
    const cap = new CaptureContext(join(root, 'data'));
    await startSource(log, cap);
    let n = 0;
    for (let r = 0; r < 30; r++) {
      log.write(numbered(n + 1, n + 200));
      n += 200;
      log.rotate();
      // Docker's writer is paced by the application; a rotation every 30 ms is still faster than
      // the tailer's 20 ms look at the live path can always follow without held-open files.
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    log.write(numbered(n + 1, n + 10));
    n += 10;
    await until(`${n} lines`, () => cap.records().length >= n);
    assert.equal(sameSequence(cap.messages(), numbered(1, n)), undefined);
  });

  it('counts and logs the loss when rotated files are deleted before it could see them', async () => {
    const log = new FakeDockerLog(root, ID, 2);
    log.write(numbered(1, 10));
    const cap = new CaptureContext(join(root, 'data'));
    await startSource(log, cap);
    await until('10 lines', () => cap.records().length >= 10);
    // The hold process runs beside this thread and could open every file in time: stopped, it is a
    // holder starved for longer than the rotations take, which is what loses files.
    const holders = holdProcessesOf(process.pid);
    assert.ok(holders.length > 0, 'the source started its hold process');
    for (const pid of holders) process.kill(pid, 'SIGSTOP');
    try {
      for (let r = 0; r < 5; r++) {
        log.rotate();
        log.write(numbered(11 + r * 10, 20 + r * 10));
      }
    } finally {
      for (const pid of holders) process.kill(pid, 'SIGCONT');
    }
    await until('the loss counted', async () => (await cap.counter(DISCARDED, 'rotated_file_lost')) >= 1);
    await until('the live file read', () => cap.messages().includes(numbered(60, 60)[0] as string));
  });

  it('resumes exactly at the checkpoint after a stop without acks: no gaps, same ids', async () => {
    const log = new FakeDockerLog(root, ID);
    log.write(numbered(1, 300));
    const data = join(root, 'data');
    const first = new CaptureContext(data);
    const s1 = await startSource(log, first);
    await until('300 lines', () => first.records().length >= 300);
    first.policy = 'hold';
    log.write(numbered(301, 600));
    await until('600 lines', () => first.records().length >= 600);
    await s1.shutdown(Date.now() + 300); // the last 300 are never acknowledged: a crash as far as delivery goes
    const cp = JSON.parse(readFileSync(join(data, 'checkpoints.json'), 'utf8')) as { files: Record<string, { offset: number }> };
    assert.equal(Object.keys(cp.files).length, 1);
    log.write(numbered(601, 700));
    const second = new CaptureContext(data);
    await startSource(log, second);
    await until('lines 301-700 again', () => second.records().length >= 400);
    assert.equal(sameSequence(second.messages(), numbered(301, 700)), undefined);
    assert.deepEqual(second.records().slice(0, 300).map((r) => r.id), first.records().slice(300, 600).map((r) => r.id));
  });

  it('drains files rotated while it was down, found by identity from the checkpoint', async () => {
    const log = new FakeDockerLog(root, ID, 4);
    const data = join(root, 'data');
    log.write(numbered(1, 100));
    const first = new CaptureContext(data);
    const s1 = await startSource(log, first);
    await until('100 lines', () => first.records().length >= 100);
    await s1.shutdown(Date.now() + 1000);
    log.write(numbered(101, 200));
    log.rotate();
    log.write(numbered(201, 300));
    log.rotate();
    log.write(numbered(301, 350));
    const second = new CaptureContext(data);
    await startSource(log, second);
    await until('250 lines', () => second.records().length >= 250);
    assert.equal(sameSequence(second.messages(), numbered(101, 350)), undefined);
  });

  it('re-reads from the last delivered position when a batch fails, with the same ids', async () => {
    const log = new FakeDockerLog(root, ID);
    const cap = new CaptureContext(join(root, 'data'));
    cap.policy = 'fail';
    await startSource(log, cap);
    log.write(numbered(1, 50));
    await until('a failed batch', () => cap.batches.length >= 1);
    cap.policy = 'deliver';
    await until('a re-read after the failure', async () => (await cap.counter(ERRORS, 'delivery_failed')) >= 1 && cap.batches.some((b) => b.ack.settled && cap.batches.indexOf(b) > 0));
    await until('all 50 delivered', () => new Set(cap.batches.filter((b) => cap.batches.indexOf(b) > 0).flatMap((b) => b.batch.records.map((r) => r.message))).size >= 50);
    const firstIds = cap.batches[0]?.batch.records.map((r) => r.id) ?? [];
    const later = cap.batches.slice(1).flatMap((b) => b.batch.records.map((r) => r.id));
    for (const id of firstIds) assert.ok(later.includes(id), `re-sent record ${id} keeps its id`);
  });

  it('stops reading while max_in_flight_bytes are unacknowledged, and resumes when acked', async () => {
    const log = new FakeDockerLog(root, ID);
    log.write(numbered(1, 20_000));
    const cap = new CaptureContext(join(root, 'data'));
    cap.policy = 'hold';
    const source = await startSource(log, cap, { max_in_flight_bytes: 64 * 1024, batch_max_bytes: 16 * 1024 });
    await until('reading stopped', () => cap.batches.length > 0 && source.inFlightBytes >= 64 * 1024);
    const stalled = cap.records().length;
    await new Promise((r) => setTimeout(r, 200)); // give a non-stalling tailer the chance to read on
    assert.equal(cap.records().length, stalled);
    assert.ok(source.inFlightBytes < 64 * 1024 + 16 * 1024 + 4096, `in flight ${source.inFlightBytes}`);
    cap.policy = 'deliver';
    cap.settleHeld('delivered');
    await until('all lines', () => cap.records().length >= 20_000, 15_000);
    assert.equal(sameSequence(cap.messages(), numbered(1, 20_000)), undefined);
  });

  it('reads a copytruncated file again from the start', async () => {
    const log = new FakeDockerLog(root, ID);
    log.write(numbered(1, 100));
    const cap = new CaptureContext(join(root, 'data'));
    await startSource(log, cap);
    await until('100 lines', () => cap.records().length >= 100);
    truncateSync(log.path, 0);
    log.write(numbered(101, 110));
    await until('110 lines', () => cap.records().length >= 110);
    assert.equal(sameSequence(cap.messages(), numbered(1, 110)), undefined);
    assert.equal(await cap.counter(DISCARDED, 'copytruncate'), 1);
  });

  it('finishes a removed container\'s log, flushing its unfinished line as truncated', async () => {
    const log = new FakeDockerLog(root, ID);
    log.write(numbered(1, 10));
    log.raw('{"log":"never fini');
    const cap = new CaptureContext(join(root, 'data'));
    await startSource(log, cap);
    await until('10 lines', () => cap.records().length >= 10);
    rmSync(log.dir, { recursive: true });
    await until('the truncated tail', () => cap.records().length >= 11);
    assert.deepEqual(cap.records().slice(10).map((r) => [r.message, r.error]), [['{"log":"never fini', 'truncated']]);
  });

  it('joins lines by the container\'s multiline label', async () => {
    const log = new FakeDockerLog(root, ID);
    const cap = new CaptureContext(join(root, 'data'));
    await startSource(log, cap, { multiline: { timeout_ms: 50 } }, { 'cargoscope.multiline.pattern': '^\\S' });
    log.write(['Traceback (most recent call last):', '  File "x.py", line 1', 'ValueError: boom', 'next']);
    await until('two records', () => cap.records().length >= 3);
    assert.deepEqual(cap.messages(), ['Traceback (most recent call last):\n  File "x.py", line 1', 'ValueError: boom', 'next']);
  });
});
