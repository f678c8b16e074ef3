import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { SourceContext } from '../../../core/component/types';
import { workloadId, type ContainerIdentity, type Event, type MetricBatch } from '../../../core/event';
import { SELF_METRIC } from '../../../core/naming';
import { ComponentTelemetry } from '../../../core/telemetry/component-telemetry';
import { SelfMetrics } from '../../../core/telemetry/self-metrics';
import { InProcessBus } from '../../../core/transport/bus';
import type { DiscoveredContainer } from '../../../collector/discovery/types';

export interface TestContext {
  readonly ctx: SourceContext;
  readonly batches: MetricBatch[];
  /** Parsed log lines at warn and above. */
  readonly warnings: Array<Record<string, unknown>>;
  errors(reason?: string): Promise<number>;
}

/** A SourceContext that captures emitted batches, warn logs and the errors_total counter. */
export function testContext(type = 'test'): TestContext {
  const registry = new Registry();
  const telemetry = new ComponentTelemetry(new SelfMetrics(registry), { id: 'src', type, kind: 'source' });
  const warnings: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done): void {
      for (const line of chunk.toString().split('\n')) if (line) warnings.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const batches: MetricBatch[] = [];
  const ctx: SourceContext = {
    id: 'src', type, kind: 'source', node: 'n1', dataDir: '/tmp',
    logger: pino({ level: 'warn' }, sink),
    telemetry,
    transport: new InProcessBus(),
    exposition: { addMetrics: () => undefined },
    deadLetter: () => Promise.resolve(),
    emit(event: Event): Promise<void> {
      if (event.type === 'metrics') batches.push(event);
      return Promise.resolve();
    },
  };
  const errors = async (reason?: string): Promise<number> => {
    const metric = registry.getSingleMetric(SELF_METRIC.componentErrors);
    if (!metric) return 0;
    const { values } = await metric.get();
    return values.filter((v) => reason === undefined || v.labels['reason'] === reason).reduce((n, v) => n + v.value, 0);
  };
  return { ctx, batches, warnings, errors };
}

export function identity(id: string, name = id): ContainerIdentity {
  return {
    node: 'n1', id, name, image: 'busybox', labels: {}, containerName: name, isSandbox: false,
    workload: { kind: 'standalone', namespace: 'standalone', replicaSet: name, pod: name, id: workloadId('standalone', 'standalone', name) },
  };
}

export function discovered(id: string, overrides: Partial<DiscoveredContainer> = {}): DiscoveredContainer {
  return { identity: identity(id), pid: 0, startedAtMs: 1_700_000_000_000, network: 'own', ...overrides };
}

/** Lets pending promise callbacks and zero-delay timers run. */
export function flush(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
