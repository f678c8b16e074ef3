import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { alertsDashboard } from './alerts';
import { clusterOverview } from './cluster-overview';
import type { MetricStore } from './hierarchy';
import { logsDashboard } from './logs';
import { nodeDashboard } from './node';
import { pipelineHealth } from './pipeline-health';
import { podContainer } from './pod';
import { dashboardProviderYaml, datasourcesYaml } from './provisioning';
import { replicaSet } from './replica-set';

const METRIC_STORES: readonly MetricStore[] = ['prometheus', 'influxdb'];

/** Every dashboard, keyed by its file name (the uid). Pure: the tests call it without writing. */
export function allDashboards(): Map<string, dashboard.Dashboard> {
  const boards: dashboard.Dashboard[] = [];
  for (const store of METRIC_STORES) boards.push(clusterOverview(store), replicaSet(store), podContainer(store), nodeDashboard(store));
  boards.push(logsDashboard(), alertsDashboard(), pipelineHealth());
  return new Map(boards.map((b) => [`${b.uid as string}.json`, b]));
}

/** Stable text: two-space JSON with a final newline, so diffs of the committed files stay small. */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export interface BuildResult {
  readonly dashboards: readonly string[];
  readonly provisioning: readonly string[];
}

/**
 * Writes `<outDir>/generated/*.json` and `<outDir>/provisioning/{datasources,dashboards}/cargoscope.yaml`.
 * Stale JSON files in generated/ are removed, so a renamed dashboard does not linger.
 */
export async function buildDashboards(outDir: string): Promise<BuildResult> {
  const generated = join(outDir, 'generated');
  await mkdir(generated, { recursive: true });
  const boards = allDashboards();
  for (const name of await readdir(generated)) if (name.endsWith('.json') && !boards.has(name)) await rm(join(generated, name));
  for (const [name, board] of boards) await writeFile(join(generated, name), renderJson(board));
  const files: Array<[string, string]> = [
    [join(outDir, 'provisioning', 'datasources', 'cargoscope.yaml'), datasourcesYaml()],
    [join(outDir, 'provisioning', 'dashboards', 'cargoscope.yaml'), dashboardProviderYaml()],
  ];
  for (const [path, text] of files) {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, text);
  }
  return { dashboards: [...boards.keys()].map((n) => join(generated, n)), provisioning: files.map(([p]) => p) };
}
