import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import type { RollupBatch, RollupSeries } from '../../core/event';
import { TEST_LABEL } from './harness/docker';
import { TESTBOX_IMAGE } from './harness/services';

const exec = promisify(execFile);

export const SUITE = 'alerting-swarm';
export const CPU_LIMIT = 0.2;

export async function dockerCli(...args: string[]): Promise<string> {
  return (await exec('docker', args, { timeout: 60_000 })).stdout.trim();
}

/**
 * A replicated service whose tasks burn one CPU (capped at CPU_LIMIT) while `<ctlDir>/burn`
 * exists, and idle otherwise: the test switches the load on and off for every replica at once.
 * `suite` labels it for cleanup (the Swarm bench uses its own, so it never removes the test's).
 */
export async function createBurnService(docker: Dockerode, name: string, ctlDir: string, suite = SUITE): Promise<void> {
  await docker.createService({
    Name: name,
    Labels: { [TEST_LABEL]: suite },
    TaskTemplate: {
      ContainerSpec: {
        Image: TESTBOX_IMAGE,
        Labels: { [TEST_LABEL]: suite },
        Command: ['sh', '-c', 'while true; do if [ -e /ctl/burn ]; then cpuburn 1 2 >/dev/null; else sleep 1; fi; done'],
        Mounts: [{ Type: 'bind', Source: ctlDir, Target: '/ctl', ReadOnly: true }],
      },
      Resources: { Limits: { NanoCPUs: Math.round(CPU_LIMIT * 1e9) } },
      RestartPolicy: { Condition: 'any' },
    },
    Mode: { Replicated: { Replicas: 1 } },
  });
}

interface Stats {
  cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number };
}

/**
 * Our stand-in for collector + aggregator in this test: pod-level `cpu_usage_limit_ratio` roll-ups
 * of the service's running tasks, computed from real `docker stats` readings (the CPU share of the
 * host over the stats interval, divided by the task's CPU limit). Keys follow the aggregator's.
 */
export async function serviceRollups(docker: Dockerode, service: string, node: string): Promise<RollupBatch> {
  const containers = await docker.listContainers({ filters: JSON.stringify({ label: [`com.docker.swarm.service.name=${service}`], status: ['running'] }) });
  const series = await Promise.all(containers.map(async (c): Promise<RollupSeries | undefined> => {
    const s = (await docker.getContainer(c.Id).stats({ stream: false })) as unknown as Stats;
    const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
    const sysDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
    if (sysDelta <= 0 || !s.precpu_stats.system_cpu_usage) return undefined;
    const cores = (cpuDelta / sysDelta) * (s.cpu_stats.online_cpus ?? 1);
    const task = c.Labels['com.docker.swarm.task.name'] ?? c.Id;
    return { key: { level: 'pod', node, namespace: 'swarm', workload: `swarm/swarm/${service}`, replicaset: service, deployment: service, pod: task }, metric: 'cpu_usage_limit_ratio', value: cores / CPU_LIMIT };
  }));
  return { type: 'rollups', version: 1, source: 'test-adapter', atMs: Date.now(), resolutionMs: 2000, series: series.filter((x): x is RollupSeries => x !== undefined) };
}

export async function specReplicas(docker: Dockerode, service: string): Promise<number> {
  const info = (await docker.getService(service).inspect()) as { Spec: { Mode: { Replicated: { Replicas: number } } } };
  return info.Spec.Mode.Replicated.Replicas;
}
