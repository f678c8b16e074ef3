import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import type { ContainerMetrics, MetricBatch } from '../../core/event';
import { CONTAINER_METRIC as M } from '../../core/naming';
import { eventually } from '../helpers/eventually';
import { CADVISOR_URL, DOCKER_SOCKET, TESTBOX_IMAGE } from './harness/services';

const exec = promisify(execFile);

export const IMAGE = process.env['CARGOSCOPE_TESTBOX_IMAGE'] ?? TESTBOX_IMAGE;
export const CADVISOR = process.env['CARGOSCOPE_CADVISOR_URL'] ?? CADVISOR_URL;
export const MiB = 1024 * 1024;
/** Every container these tests start carries this label, so cleanup finds leftovers of a crashed run. */
export const TEST_LABEL = 'io.cargoscope.test';

export const docker = new Dockerode({ socketPath: DOCKER_SOCKET, timeout: 30_000 });

export async function dockerCli(...args: string[]): Promise<string> {
  const { stdout } = await exec('docker', args, { timeout: 60_000 });
  return stdout.trim();
}

export interface RunOptions {
  readonly name: string;
  readonly cmd: readonly string[];
  readonly args?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

/** `docker run -d` with the test label; returns the full id. */
export async function run(o: RunOptions): Promise<string> {
  await dockerCli('rm', '-f', o.name).catch(() => '');
  const labels = Object.entries({ [TEST_LABEL]: 'collector-metrics', ...o.labels }).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  return dockerCli('run', '-d', '--name', o.name, ...labels, ...(o.args ?? []), IMAGE, ...o.cmd);
}

export async function removeTestContainers(): Promise<void> {
  const ids = await dockerCli('ps', '-aq', '--filter', `label=${TEST_LABEL}=collector-metrics`);
  if (ids) await dockerCli('rm', '-f', ...ids.split('\n'));
}

/** tests/helpers/eventually, with what was awaited named in the error. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, everyMs = 200): Promise<T> {
  try {
    return await eventually(timeoutMs, probe, everyMs);
  } catch (err) {
    throw new Error(`waiting for ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function find(batch: MetricBatch | undefined, id: string): ContainerMetrics | undefined {
  return batch?.containers.find((c) => c.container.id === id);
}

export function sample(c: ContainerMetrics | undefined, name: string): number | undefined {
  return c?.samples.find((s) => s.name === name && s.labels === undefined)?.value;
}

/** CPU cores used between two scrapes, from the counter and the batches' scrape times. */
export function coresBetween(a: MetricBatch, b: MetricBatch, id: string): number {
  const ca = sample(find(a, id), M.cpuUsageSeconds);
  const cb = sample(find(b, id), M.cpuUsageSeconds);
  if (ca === undefined || cb === undefined) throw new Error(`no cpu counter for ${id.slice(0, 12)}`);
  return (cb - ca) / ((b.scrapedAtMs - a.scrapedAtMs) / 1000);
}

/**
 * cAdvisor samples each container on its own housekeeping tick, so its newest sample can be up
 * to an interval old. Waiting until the newest one is fresh makes both ends of a window line up
 * with our scrape time (which is the only time a batch carries).
 */
export async function waitForFreshCadvisorSample(id: string, maxAgeMs = 300): Promise<void> {
  let lastTs = '';
  await waitFor('a fresh cAdvisor sample', async () => {
    const res = await fetch(`${CADVISOR}/api/v1.3/docker/${id}`, {
      method: 'POST', body: JSON.stringify({ num_stats: 1 }), signal: AbortSignal.timeout(2000),
    });
    const body = (await res.json()) as Record<string, { stats?: Array<{ timestamp: string }> }>;
    const ts = Object.values(body)[0]?.stats?.at(-1)?.timestamp ?? '';
    const fresh = lastTs !== '' && ts !== lastTs && Date.now() - Date.parse(ts) < maxAgeMs;
    lastTs = ts;
    return fresh ? true : undefined;
  }, 20_000, 50);
}
