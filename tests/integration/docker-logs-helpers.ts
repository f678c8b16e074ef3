import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Topology } from '../../core/component';
import { loadConfigText } from '../../core/config';
import type { LogBatch, LogRecord } from '../../core/event';
import { dockerLogsSourceFactory } from '../../collector/sources/docker_logs';
import { fakeRegistry, topologyDeps, type CaptureSink } from '../helpers/fakes';
import { TEST_LABEL } from './harness/docker';
import { STATE_DIR, TESTBOX_IMAGE } from './harness/services';

const exec = promisify(execFile);
export const SUITE = 'docker-logs';

export async function dockerCli(...args: string[]): Promise<string> {
  const { stdout } = await exec('docker', args, { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/**
 * `docker run -d` of the testbox's logwriter, labelled for cleanup; returns the full id. It holds
 * (keeps running) after writing unless `hold` is false.
 */
export async function runWriter(name: string, writerArgs: readonly string[], dockerArgs: readonly string[] = [], hold = true): Promise<string> {
  await dockerCli('rm', '-f', name).catch(() => '');
  return dockerCli('run', '-d', '--name', name, '--label', `${TEST_LABEL}=${SUITE}`, ...dockerArgs, TESTBOX_IMAGE, 'logwriter', ...writerArgs, ...(hold ? ['--hold'] : []));
}

/** The docker_logs source wired to an in-memory capture sink through a real Topology. */
export class LogsPipeline {
  readonly topology: Topology;
  readonly sink: CaptureSink;
  readonly metrics: ReturnType<typeof topologyDeps>['registry'];

  constructor(dataDir: string, sourceYaml: string, sinkYaml = '') {
    const { registry, instances } = fakeRegistry();
    registry.register(dockerLogsSourceFactory);
    // The dev engine keeps its data under STATE_DIR (scripts/services/docker.sh --data-root).
    const source = `docker_root: ${join(STATE_DIR, 'docker')}\n${sourceYaml}`;
    const yaml = `sources:\n  logs:\n    type: docker_logs\n${indent(source, 4)}\nsinks:\n  cap:\n    type: capture\n    inputs: [logs]\n    batch: { timeout_ms: 0 }\n${indent(sinkYaml, 4)}\n`;
    const config = loadConfigText(yaml, { registry, defaultListen: '127.0.0.1:0', env: {} });
    const { deps, registry: metrics } = topologyDeps();
    this.metrics = metrics;
    this.topology = new Topology(config, { ...deps, dataDir });
    this.sink = instances.sinks.get('cap') as CaptureSink;
  }

  start(): Promise<void> {
    return this.topology.start();
  }

  stop(ms = 2000): Promise<void> {
    return this.topology.shutdown(Date.now() + ms);
  }

  records(container: string): LogRecord[] {
    const out: LogRecord[] = [];
    for (const env of this.sink.received) {
      const batch = env.event as LogBatch;
      if (batch.type === 'logs' && batch.container.id === container) out.push(...batch.records);
    }
    return out;
  }

  async counter(name: string, label: string): Promise<number> {
    const metric = (await this.metrics.getMetricsAsJSON()).find((m) => m.name === name);
    return (metric?.values ?? []).filter((v) => Object.values(v.labels).includes(label)).reduce((a, v) => a + v.value, 0);
  }
}

function indent(text: string, n: number): string {
  return text.split('\n').filter((l) => l.trim()).map((l) => ' '.repeat(n) + l).join('\n');
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'cs-logs-it-'));
}

/** Checks `messages` are `<prefix> 000000001…n` in order; returns the first problem. */
export function checkNumbered(messages: readonly string[], n: number, prefix: string): string | undefined {
  if (messages.length !== n) {
    const seqs = new Set(messages.map((m) => Number(m.slice(prefix.length + 1, prefix.length + 10))));
    const missing = [];
    for (let i = 1; i <= n && missing.length < 5; i++) if (!seqs.has(i)) missing.push(i);
    return `got ${messages.length} lines, want ${n}; first missing: ${missing.join(', ')}`;
  }
  for (let i = 0; i < n; i++) {
    const want = `${prefix} ${String(i + 1).padStart(9, '0')}`;
    if (!(messages[i] as string).startsWith(want)) return `line ${i}: got ${JSON.stringify((messages[i] as string).slice(0, 40))}, want ${want}`;
  }
  return undefined;
}

/** Polls until `probe` is true or the deadline passes. */
export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number, detail: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} ${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until `count()` reaches `want`, or stops growing for 5 s (then the caller's checks say what is missing). */
export async function untilSettled(count: () => number, want: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let since = Date.now();
  while (count() < want && Date.now() < deadline) {
    const now = count();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since > 5000) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
