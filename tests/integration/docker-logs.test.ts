import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dockerClient, removeLabelled } from './harness/docker';
import { requireServices } from './harness/services';
import { checkNumbered, LogsPipeline, runWriter, SUITE, tempDataDir, until, untilSettled } from './docker-logs-helpers';

const ERRORS = 'cargoscope_component_errors_total';

describe('docker_logs against real dockerd', function () {
  this.timeout(300_000);
  const docker = dockerClient();
  let pipelines: LogsPipeline[] = [];

  before(async function () {
    await requireServices(this, ['docker', 'images']);
    await removeLabelled(docker, SUITE);
  });
  afterEach(async () => {
    await Promise.all(pipelines.map((p) => p.stop()));
    pipelines = [];
    await removeLabelled(docker, SUITE);
  });

  async function pipeline(dataDir = tempDataDir(), sourceYaml = '', sinkYaml = ''): Promise<LogsPipeline> {
    const p = new LogsPipeline(dataDir, sourceYaml, sinkYaml);
    pipelines.push(p);
    await p.start();
    return p;
  }

  it('ships every line of 10 containers (200,000 lines) once, in order per container', async () => {
    const p = await pipeline();
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => runWriter(`cs-logs-n${i}`, ['--count', '20000', '--prefix', `c${i}`])));
    for (const [i, id] of ids.entries()) {
      await until(`20000 lines of c${i}`, () => p.records(id).length >= 20_000, 120_000, () => `(have ${p.records(id).length})`);
      assert.equal(checkNumbered(p.records(id).map((r) => r.message), 20_000, `c${i}`), undefined);
      assert.equal(new Set(p.records(id).map((r) => r.id)).size, 20_000, 'ids are unique');
    }
  });

  it('loses nothing across max-size=1m / max-file=3 rotations at 20,000 lines/s', async () => {
    const p = await pipeline();
    const n = 150_000; // ~16 MiB of json-file: about 16 rotations
    const id = await runWriter('cs-logs-rot', ['--count', String(n), '--rate', '20000', '--length', '80', '--prefix', 'rot'], ['--log-opt', 'max-size=1m', '--log-opt', 'max-file=3']);
    await untilSettled(() => p.records(id).length, n, 180_000);
    assert.equal(checkNumbered(p.records(id).map((r) => r.message), n, 'rot'), undefined);
    assert.equal(await p.counter('cargoscope_component_discarded_events_total', 'rotated_file_given_up'), 0);
  });

  it('at full speed, never loses a rotated file silently: any gap is a counted loss', async () => {
    // Known limit (collector/sources/docker_logs/README.md): when Docker rotates and deletes a
    // file before the tailer could open it (tens of MB/s here), that file is lost. What must hold
    // is that such a loss is counted and logged, never silent.
    const p = await pipeline();
    const n = 150_000;
    const id = await runWriter('cs-logs-rotfast', ['--count', String(n), '--length', '80', '--prefix', 'rf'], ['--log-opt', 'max-size=1m', '--log-opt', 'max-file=3']);
    await untilSettled(() => p.records(id).length, n, 180_000);
    const gap = checkNumbered(p.records(id).map((r) => r.message), n, 'rf');
    const lost = await p.counter('cargoscope_component_discarded_events_total', 'rotated_file_lost');
    // (The counter may also fire when a loss was possible but did not happen: it errs on the loud side.)
    if (gap !== undefined) assert.ok(lost > 0, `lines are missing (${gap}) but no loss was counted`);
    assert.equal(new Set(p.records(id).map((r) => r.id)).size, p.records(id).length, 'no record twice');
  });

  it('resumes after being killed mid-stream three times: no gaps, re-sent records keep their ids', async () => {
    const dataDir = tempDataDir();
    const checkpoints = join(dataDir, 'logs', 'checkpoints.json');
    const n = 60_000;
    const id = await runWriter('cs-logs-kill', ['--count', String(n), '--rate', '20000', '--length', '60', '--prefix', 'k'], ['--log-opt', 'max-size=1m', '--log-opt', 'max-file=3']);
    const seen = new Map<string, string>(); // message → id
    let duplicates = 0;
    for (let round = 0; round <= 3; round++) {
      const p = await pipeline(dataDir, 'checkpoint_interval_ms: 100');
      const target = round < 3 ? (round + 1) * 15_000 : n;
      const distinct = (): number => seen.size + p.records(id).filter((r) => !seen.has(r.message)).length;
      await until(`${target} distinct lines`, () => distinct() >= target, 120_000, () => `(have ${distinct()})`);
      let snapshot: string | undefined;
      if (round < 3) {
        // What a SIGKILL now would leave on disk; delivery goes on a little past it before the stop.
        snapshot = await readFile(checkpoints, 'utf8');
        const more = p.records(id).length + 2000;
        await until('progress past the snapshot', () => p.records(id).length >= more, 60_000);
      }
      await p.stop();
      pipelines = pipelines.filter((x) => x !== p);
      if (snapshot !== undefined) await writeFile(checkpoints, snapshot);
      for (const r of p.records(id)) {
        const before = seen.get(r.message);
        if (before === undefined) seen.set(r.message, r.id);
        else {
          duplicates++;
          assert.equal(r.id, before, `re-sent ${r.message.slice(0, 12)} keeps its id`);
        }
      }
    }
    assert.equal(checkNumbered([...seen.keys()].sort(), n, 'k'), undefined);
    assert.ok(duplicates > 0, 'the restored checkpoints made the source re-send something');
    console.log(`      (${duplicates} records re-sent after the kills, each with its first id)`);
  });

  it('delivers 100 KiB and 1 MiB lines whole, or cut at max_line_bytes with the counter incremented', async () => {
    const whole = await pipeline();
    const a = await runWriter('cs-logs-100k', ['--count', '2', '--length', String(100 * 1024), '--prefix', 'big']);
    const b = await runWriter('cs-logs-1m', ['--count', '2', '--length', String(1024 * 1024), '--prefix', 'huge']);
    await until('the long lines', () => whole.records(a).length >= 2 && whole.records(b).length >= 2, 60_000);
    assert.deepEqual(whole.records(a).map((r) => [r.message.length, r.error]), [[100 * 1024, undefined], [100 * 1024, undefined]]);
    assert.deepEqual(whole.records(b).map((r) => [r.message.length, r.error]), [[1024 * 1024, undefined], [1024 * 1024, undefined]]);
    const capped = await pipeline(tempDataDir(), 'max_line_bytes: 262144');
    await until('the capped lines', () => capped.records(b).length >= 2, 60_000);
    assert.deepEqual(capped.records(b).map((r) => [r.message.length, r.error]), [[262_144, 'truncated'], [262_144, 'truncated']]);
    assert.ok((await capped.counter(ERRORS, 'truncated')) >= 2);
  });

  it('follows a container with the local log driver through the API, long lines included', async () => {
    const p = await pipeline();
    const id = await runWriter('cs-logs-local', ['--count', '3000', '--prefix', 'api'], ['--log-driver', 'local']);
    const big = await runWriter('cs-logs-local-big', ['--count', '1', '--length', String(100 * 1024), '--prefix', 'apibig'], ['--log-driver', 'local']);
    await until('3000 API lines', () => p.records(id).length >= 3000, 60_000, () => `(have ${p.records(id).length})`);
    assert.equal(checkNumbered(p.records(id).map((r) => r.message), 3000, 'api'), undefined);
    assert.equal(p.records(id)[0]?.origin.fileKey, 'api');
    await until('the long API line', () => p.records(big).length >= 1, 60_000);
    assert.deepEqual(p.records(big).map((r) => r.message.length), [100 * 1024]);
  });

  it('picks a new container up within a second', async () => {
    const p = await pipeline();
    const started = Date.now();
    const id = await runWriter('cs-logs-new', ['--count', '1', '--prefix', 'hello']);
    await until('the first line', () => p.records(id).length >= 1, 5000);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 2500, `took ${elapsed} ms (docker run included)`);
  });
});
