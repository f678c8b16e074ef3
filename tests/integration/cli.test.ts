import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from '../helpers/eventually';

const root = path.resolve(__dirname, '..', '..', '..');
const bin = path.join(root, 'bin', 'cargoscope.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('cargoscope CLI (real process)', function () {
  this.timeout(30_000);

  it('`run` serves cargoscope series and readiness within 15 s, and SIGTERM exits 0 within 5 s', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cargoscope-run-'));
    const started = Date.now();
    const child = spawn(process.execPath, [bin, 'run'], {
      env: { ...process.env, CARGOSCOPE_LISTEN: `127.0.0.1:${port}`, CARGOSCOPE_DATA_DIR: dataDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = exited(child);
    try {
      const metrics = await eventually(15_000, async () => {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        const text = await res.text();
        return res.ok && text.includes('cargoscope_build_info') ? text : undefined;
      });
      assert.ok(Date.now() - started < 15_000);
      assert.match(metrics, /cargoscope_build_info\{version="[^"]+",mode="run"\} 1/);
      assert.match(metrics, /cargoscope_process_cpu_seconds_total/);
      // Ready once every component started (discovery may take a moment after /metrics answers).
      await eventually(15_000 - (Date.now() - started), async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined));
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);

      const stopAt = Date.now();
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGTERM'); // a second SIGTERM must be harmless
      const { code, signal } = await exit;
      assert.equal(signal, null, `killed by ${signal}: ${stderr}`);
      assert.equal(code, 0, stderr);
      assert.ok(Date.now() - stopAt < 5000, 'exited within 5 s');
      assert.match(stderr, /shutdown complete/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('`config validate` lists three independent mistakes by path and exits 78', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cargoscope-cfg-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, [
      'api:', '  listen: nowhere',
      'sources:', '  in: { type: topic, topics: [t], colour: blue }',
      'sinks:', '  out: { type: prometheus_exporter, inputs: [in], staleness_secs: -5 }',
    ].join('\n'));
    const result = spawnSync(process.execPath, [bin, 'config', 'validate', file], { encoding: 'utf8' });
    assert.equal(result.status, 78, result.stderr);
    assert.match(result.stderr, /3 configuration errors/);
    assert.match(result.stderr, /^ {2}api\.listen: expected host:port$/m);
    assert.match(result.stderr, /^ {2}sources\.in\.colour: unknown key$/m);
    assert.match(result.stderr, /^ {2}sinks\.out\.staleness_secs: /m);
  });

  it('names the known types for an unknown one, and `run` refuses to start on bad config', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cargoscope-cfg-'));
    const file = path.join(dir, 'unknown.yaml');
    writeFileSync(file, 'sinks:\n  out: { type: elastic, inputs: [x] }\n');
    const result = spawnSync(process.execPath, [bin, 'run', '--config', file], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(result.status, 78);
    assert.match(result.stderr, /sinks\.out\.type: unknown sink type 'elastic'; known sink types: .*prometheus_exporter/);
  });

  it('prints help listing every command, and rejects unknown commands with 64', () => {
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    for (const cmd of ['run', 'collector', 'aggregator', 'alerting', 'config validate', 'dev services']) assert.ok(help.stdout.includes(cmd), cmd);
    const bad = spawnSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8' });
    assert.equal(bad.status, 64);
  });

  it('the embedded default config of every mode is valid', () => {
    for (const mode of ['run', 'collector', 'aggregator', 'alerting']) {
      const defaults = spawnSync(process.execPath, [bin, 'config', 'defaults', mode], { encoding: 'utf8' });
      assert.equal(defaults.status, 0);
      const dir = mkdtempSync(path.join(tmpdir(), 'cargoscope-def-'));
      writeFileSync(path.join(dir, `${mode}.yaml`), defaults.stdout);
      const check = spawnSync(process.execPath, [bin, 'config', 'validate', path.join(dir, `${mode}.yaml`), '--mode', mode], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stderr);
    }
  });

  it('`components` lists every type, and `autoscale simulate` runs (both load their modules on demand)', () => {
    const listed = spawnSync(process.execPath, [bin, 'components'], { encoding: 'utf8' });
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(listed.stdout.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(':')).sort(), [
      'sink:alert_rules', 'sink:autoscaler', 'sink:elasticsearch', 'sink:file', 'sink:influxdb', 'sink:prometheus_exporter', 'sink:topic',
      'source:cadvisor', 'source:cgroup', 'source:docker_logs', 'source:docker_stats', 'source:prometheus_query', 'source:topic', 'transform:rollup',
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), 'cargoscope-sim-'));
    const policy = path.join(dir, 'policy.yaml');
    const series = path.join(dir, 'series.jsonl');
    writeFileSync(policy, 'policies:\n  - { name: q, target: { type: webhook, name: q }, workload: w, max_replicas: 20, metrics: [{ type: total, metric: queue_depth, target_per_replica: 10 }] }\n');
    writeFileSync(series, '{"time":0,"workload":"w","metric":"queue_depth","value":95,"replicas":3,"ready":3}\n');
    const sim = spawnSync(process.execPath, [bin, 'autoscale', 'simulate', '--policy', policy, '--series', series], { encoding: 'utf8' });
    assert.equal(sim.status, 0, sim.stderr);
    const decision = JSON.parse(sim.stdout) as { desiredReplicas: number; limitedBy: string };
    assert.deepEqual([decision.desiredReplicas, decision.limitedBy], [7, 'scale_up_limit']);
  });
});
