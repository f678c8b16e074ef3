import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { SourceContext } from '../../../../core/component/types';
import { workloadId, type Ack, type ContainerIdentity, type Event, type LogBatch, type LogRecord } from '../../../../core/event';
import { ComponentTelemetry } from '../../../../core/telemetry/component-telemetry';
import { SelfMetrics } from '../../../../core/telemetry/self-metrics';
import { InProcessBus } from '../../../../core/transport/bus';
import { dockerLogsSourceSchema, type DockerLogsSourceConfig } from '../../../../collector/sources/docker_logs/config';
import type { LogTarget } from '../../../../collector/sources/docker_logs/targets';

export function identity(id: string): ContainerIdentity {
  return {
    node: 'n1', id, name: id.slice(0, 8), image: 'testbox', labels: {}, containerName: id.slice(0, 8), isSandbox: false,
    workload: { kind: 'standalone', namespace: 'standalone', replicaSet: id.slice(0, 8), pod: id.slice(0, 8), id: workloadId('standalone', 'standalone', id.slice(0, 8)) },
  };
}

export function config(root: string, extra: Record<string, unknown> = {}): DockerLogsSourceConfig {
  return dockerLogsSourceSchema.parse({ docker_root: root, poll_interval_ms: 20, checkpoint_interval_ms: 50, ...extra });
}

/** Writes json-file logs and rotates them by renaming, as Docker's json-file driver does. */
export class FakeDockerLog {
  readonly dir: string;
  readonly path: string;
  constructor(
    root: string,
    readonly id: string,
    private readonly maxFiles = 3,
  ) {
    this.dir = join(root, 'containers', id);
    this.path = join(this.dir, `${id}-json.log`);
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(this.path, '');
  }

  target(labels: Record<string, string> = {}): LogTarget {
    return { identity: identity(this.id), logDriver: 'json-file', logPath: this.path, labels, tty: false };
  }

  write(lines: readonly string[], stream = 'stdout'): void {
    let text = '';
    for (const l of lines) text += `{"log":${JSON.stringify(`${l}\n`)},"stream":"${stream}","time":"${new Date().toISOString()}"}\n`;
    appendFileSync(this.path, text);
  }

  raw(text: string | Buffer): void {
    appendFileSync(this.path, text);
  }

  rotate(): void {
    for (let n = this.maxFiles - 1; n >= 1; n--) {
      const from = n === 1 ? this.path : `${this.path}.${n - 1}`;
      if (n === this.maxFiles - 1 && existsSync(`${this.path}.${n}`)) rmSync(`${this.path}.${n}`);
      if (existsSync(from)) renameSync(from, `${this.path}.${n}`);
    }
    writeFileSync(this.path, '');
  }
}

export const numbered = (from: number, to: number, prefix = 'line'): string[] => Array.from({ length: to - from + 1 }, (_, i) => `${prefix} ${String(from + i).padStart(9, '0')}`);

export type AckPolicy = 'deliver' | 'hold' | 'fail';

/** A SourceContext that records batches and settles their acks per `policy`. */
export class CaptureContext {
  readonly batches: Array<{ batch: LogBatch; ack: Ack }> = [];
  policy: AckPolicy = 'deliver';
  readonly registry = new Registry();
  readonly ctx: SourceContext;

  constructor(dataDir: string) {
    const telemetry = new ComponentTelemetry(new SelfMetrics(this.registry), { id: 'logs', type: 'docker_logs', kind: 'source' });
    this.ctx = {
      id: 'logs', type: 'docker_logs', kind: 'source', node: 'n1', dataDir,
      logger: pino({ level: 'silent' }), telemetry, transport: new InProcessBus(),
      exposition: { addMetrics: () => undefined }, deadLetter: () => Promise.resolve(),
      emit: (event: Event, ack?: Ack): Promise<void> => {
        if (event.type !== 'logs' || !ack) throw new Error('expected a log batch with an ack');
        this.batches.push({ batch: event, ack });
        if (this.policy === 'deliver') ack.settle('delivered');
        if (this.policy === 'fail') ack.settle('failed');
        return Promise.resolve();
      },
    };
  }

  records(container?: string): LogRecord[] {
    return this.batches.filter((b) => !container || b.batch.container.id === container).flatMap((b) => [...b.batch.records]);
  }

  messages(container?: string): string[] {
    return this.records(container).map((r) => r.message);
  }

  settleHeld(outcome: 'delivered' | 'failed'): void {
    for (const { ack } of this.batches) if (!ack.settled) ack.settle(outcome);
  }

  async counter(name: string, label: string): Promise<number> {
    const metric = (await this.registry.getMetricsAsJSON()).find((m) => m.name === name);
    return (metric?.values ?? []).filter((v) => Object.values(v.labels).includes(label)).reduce((a, v) => a + v.value, 0);
  }
}

/** Polls until `probe` is true or the deadline passes (no fixed sleeps as synchronisation). */
export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Asserts `got` is exactly `want`, reporting the first difference rather than a huge diff. */
export function sameSequence(got: readonly string[], want: readonly string[]): string | undefined {
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    if (got[i] !== want[i]) return `at ${i}: got ${JSON.stringify(got[i])}, want ${JSON.stringify(want[i])} (${got.length} vs ${want.length})`;
  }
  return undefined;
}
