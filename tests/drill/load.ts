/**
 * The drill's load on the shared Docker engine: steady writers (numbered lines for the whole
 * drill, each its own compose workload), churn (a short-lived writer started every second that
 * writes a fixed count and exits), and memory hogs as Swarm services (one per alert episode).
 * Everything carries `dev.cargoscope.test=drill`, so cleanup removes only the drill's own.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type Dockerode from 'dockerode';
import { demuxDockerLogs, removeLabelled, TEST_LABEL } from '../integration/harness/docker';
import { TESTBOX_IMAGE } from '../integration/harness/services';
import { dockerCli } from '../integration/docker-logs-helpers';
import type { DrillPlan } from './plan';

export const DRILL_SUITE = 'drill';

export interface Writer {
  readonly id: string;
  /** The line prefix: `<namespace>-<name>`; each line is `<prefix> <seq, 9 digits>`. */
  readonly prefix: string;
  readonly kind: 'steady' | 'churn';
}

function runArgs(plan: DrillPlan, namespace: string, service: string): string[] {
  return [
    'run', '-d', '--label', `${TEST_LABEL}=${DRILL_SUITE}`,
    '--label', `com.docker.compose.project=${namespace}`, '--label', `com.docker.compose.service=${service}`,
    '--log-driver', 'json-file', '--log-opt', `max-size=${plan.logMaxSize}`, '--log-opt', `max-file=${plan.logMaxFile}`,
  ];
}

export async function startSteadyWriters(plan: DrillPlan, namespace: string): Promise<Writer[]> {
  const writers: Writer[] = [];
  const names = Array.from({ length: plan.steadyContainers }, (_, i) => `w${String(i).padStart(3, '0')}`);
  // Ten at a time: a hundred parallel `docker run`s only queue up inside dockerd on two cores.
  for (let i = 0; i < names.length; i += 10) {
    await Promise.all(names.slice(i, i + 10).map(async (name) => {
      const prefix = `${namespace}-${name}`;
      const id = await dockerCli(...runArgs(plan, namespace, name), '--name', prefix, TESTBOX_IMAGE,
        'logwriter', '--count', '0', '--rate', String(plan.steadyLinesPerSec), '--prefix', prefix);
      writers.push({ id, prefix, kind: 'steady' });
    }));
  }
  return writers;
}

/** Starts one churn container every `churnEveryMs` until stopped; they exit on their own. */
export class Churn {
  readonly writers: Writer[] = [];
  readonly errors: string[] = [];
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly plan: DrillPlan, private readonly namespace: string) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    for (let n = 0; !this.stopped; n++) {
      const began = Date.now();
      const prefix = `${this.namespace}-c${String(n).padStart(5, '0')}`;
      try {
        const id = await dockerCli(...runArgs(this.plan, this.namespace, 'churn'), '--name', prefix, TESTBOX_IMAGE,
          'logwriter', '--count', String(this.plan.churnLines), '--prefix', prefix);
        this.writers.push({ id, prefix, kind: 'churn' });
      } catch (err) {
        this.errors.push((err as Error).message.slice(0, 300));
      }
      await new Promise((r) => setTimeout(r, Math.max(0, this.plan.churnEveryMs - (Date.now() - began))));
    }
  }
}

/**
 * What Docker itself stored for a container: the sequence number of its last stdout line, read
 * through the engine's log API (which follows json-file rotation). This is the ground truth the
 * drill holds Elasticsearch against; it does not go through cargoscope.
 */
export async function lastSequence(docker: Dockerode, w: Writer): Promise<number> {
  const raw = await docker.getContainer(w.id).logs({ stdout: true, stderr: false, tail: 1, follow: false });
  const line = demuxDockerLogs(raw).stdout.trim();
  if (line === '') return 0;
  const m = /^(\S+) (\d{9})$/.exec(line);
  if (!m || m[1] !== w.prefix) throw new Error(`unexpected last line of ${w.prefix}: ${JSON.stringify(line.slice(0, 80))}`);
  return Number(m[2]);
}

export async function killWriters(writers: readonly Writer[]): Promise<void> {
  for (let i = 0; i < writers.length; i += 20) {
    await dockerCli('kill', ...writers.slice(i, i + 20).map((w) => w.id)).catch(() => '');
  }
}

/** Waits until none of `writers` is running (churn containers exit after their last line). */
export async function waitExited(docker: Dockerode, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const filters = JSON.stringify({ label: [`com.docker.compose.project=${namespace}`], status: ['running'] });
  while ((await docker.listContainers({ filters })).length > 0) {
    if (Date.now() > deadline) throw new Error(`drill containers still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * A Swarm service whose task holds 48 MiB of its 64 MiB limit while `<ctlDir>/on` exists, and
 * nothing otherwise: `memory_working_set_limit_ratio` ≈ 0.75, then ≈ 0. Memory rather than CPU
 * because a CPU burner's share depends on what else runs on two shared cores (a half-core
 * burner got 0.03–0.1 of its limit in the first drill run); a working set does not.
 */
export async function startHog(docker: Dockerode, namespace: string, name: string, ctlDir: string): Promise<string> {
  const service = `${namespace}-${name}`;
  mkdirSync(ctlDir, { recursive: true });
  writeFileSync(path.join(ctlDir, 'on'), '');
  const labels = { [TEST_LABEL]: DRILL_SUITE, 'com.docker.stack.namespace': namespace };
  await docker.createService({
    Name: service,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: TESTBOX_IMAGE,
        Labels: labels,
        Command: ['sh', '-c', 'while :; do if [ -e /ctl/on ]; then memfill 48 >/dev/null & p=$!; while [ -e /ctl/on ]; do sleep 0.5; done; kill $p; fi; sleep 0.5; done'],
        Mounts: [{ Type: 'bind', Source: ctlDir, Target: '/ctl', ReadOnly: true }],
      },
      Resources: { Limits: { MemoryBytes: 64 * 1024 * 1024 } },
      RestartPolicy: { Condition: 'none' },
    },
    Mode: { Replicated: { Replicas: 1 } },
  });
  return service;
}

/** Lets go of the memory; the service stays (its series go to ≈ 0) until cleanup removes it. */
export function stopHog(ctlDir: string): void {
  rmSync(path.join(ctlDir, 'on'), { force: true });
}

export function cleanup(docker: Dockerode): Promise<void> {
  return removeLabelled(docker, DRILL_SUITE);
}
