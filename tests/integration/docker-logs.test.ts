import assert from 'node:assert/strict';
import { dockerClient, removeLabelled } from './harness/docker';
import { requireServices } from './harness/services';
import { checkNumbered, dockerCli, LogsPipeline, runWriter, SUITE, tempDataDir, until } from './docker-logs-helpers';

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

  // Acceptance 1–4 (volume, rotation, SIGKILL, Kafka down) go through the real broker: docker-logs-kafka.test.ts.

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

  it('reads a container that started and exited while the collector was down, and nothing twice', async () => {
    const dataDir = tempDataDir();
    const first = await pipeline(dataDir);
    const seen = await runWriter('cs-logs-seen', ['--count', '5', '--prefix', 'seen']);
    await until('the lines of the container seen while up', () => first.records(seen).length >= 5, 30_000);
    await first.stop();
    // Born, written and exited while no collector ran: no event, no checkpoint, not running.
    const gone = await runWriter('cs-logs-while-down', ['--count', '20', '--prefix', 'down'], [], false);
    assert.equal(await dockerCli('wait', gone), '0');
    const second = await pipeline(dataDir);
    await until('the 20 lines of the container that came and went', () => second.records(gone).length >= 20, 30_000, () => `(have ${second.records(gone).length})`);
    assert.equal(checkNumbered(second.records(gone).map((r) => r.message), 20, 'down'), undefined);
    await new Promise((r) => setTimeout(r, 1000)); // a late duplicate would arrive within this
    assert.equal(second.records(gone).length, 20);
    assert.equal(second.records(seen).length, 0, 'the container read before the restart was read again');
  });

  it('ships only the containers carrying every include_labels entry', async () => {
    const p = await pipeline(tempDataDir(), 'include_labels: ["cs.pick", "cs.team=a"]');
    const picked = await runWriter('cs-logs-picked', ['--count', '50', '--prefix', 'pick'], ['--label', 'cs.pick=1', '--label', 'cs.team=a']);
    const other = await runWriter('cs-logs-other-team', ['--count', '50', '--prefix', 'other'], ['--label', 'cs.pick=1', '--label', 'cs.team=b']);
    const unlabelled = await runWriter('cs-logs-unlabelled', ['--count', '50', '--prefix', 'none']);
    await until('the picked container', () => p.records(picked).length >= 50, 30_000);
    assert.equal(checkNumbered(p.records(picked).map((r) => r.message), 50, 'pick'), undefined);
    await new Promise((r) => setTimeout(r, 3000)); // past the 2 s after which a pin is resolved by inspect
    assert.equal(p.records(other).length, 0);
    assert.equal(p.records(unlabelled).length, 0);
  });
});
