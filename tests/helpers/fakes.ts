import { Registry } from 'prom-client';
import { z } from 'zod';
import {
  ComponentRegistry, type ComponentContext, type ComponentFactory, type MetricsTextProvider, type PartialSendResult, type Sink, type Source,
  type SourceContext, type Transform,
} from '../../core/component';
import { Ack, workloadId, type Envelope, type Event, type MetricBatch } from '../../core/event';
import { PermanentError, RetryableError } from '../../core/delivery';
import { SelfMetrics, silentLogger } from '../../core/telemetry';
import { InProcessBus } from '../../core/transport';

/** In-memory components for unit tests of pure pipeline logic (no I/O involved). */

export function metricBatch(containers = 1, node = 'n1'): MetricBatch {
  return {
    type: 'metrics',
    version: 1,
    node,
    source: 'test',
    scrapedAtMs: 1_700_000_000_000,
    containers: Array.from({ length: containers }, (_, i) => ({
      container: {
        node, id: `c${i}`, name: `web-${i}`, image: 'busybox', labels: {}, containerName: `web-${i}`, isSandbox: false,
        workload: { kind: 'standalone' as const, namespace: 'standalone', replicaSet: `web-${i}`, pod: `web-${i}`, id: workloadId('standalone', 'standalone', `web-${i}`) },
      },
      startedAtMs: 1,
      samples: [{ name: 'container_cpu_usage_seconds_total', kind: 'counter' as const, value: i + 1 }],
    })),
  };
}

/** A source whose test drives `emit` directly and whose lifecycle calls are recorded. */
export class ManualSource implements Source {
  ctx: SourceContext | undefined;
  shutdowns = 0;
  start(ctx: SourceContext): Promise<void> {
    this.ctx = ctx;
    return Promise.resolve();
  }
  async emit(event: Event): Promise<Ack> {
    const ack = new Ack();
    await (this.ctx as SourceContext).emit(event, ack);
    return ack;
  }
  shutdown(): Promise<void> {
    this.shutdowns += 1;
    return Promise.resolve();
  }
}

export type Behaviour = 'deliver' | 'fail_once' | 'reject' | 'retry_forever' | 'partial';

/** A sink that records what it got and misbehaves on request. */
export class CaptureSink implements Sink {
  readonly received: Envelope[] = [];
  attempts = 0;
  constructor(public behaviour: Behaviour = 'deliver') {}
  start(_ctx: ComponentContext): Promise<void> {
    return Promise.resolve();
  }
  send(batch: readonly Envelope[]): Promise<PartialSendResult | void> {
    this.attempts += 1;
    switch (this.behaviour) {
      case 'fail_once':
        if (this.attempts === 1) return Promise.reject(new RetryableError('first attempt fails'));
        break;
      case 'reject':
        return Promise.reject(new PermanentError('refused', 'http_400'));
      case 'retry_forever':
        return Promise.reject(new RetryableError('down'));
      case 'partial':
        if (this.attempts === 1 && batch.length > 1) {
          this.received.push(batch[0] as Envelope);
          return Promise.resolve({ retry: batch.slice(1).map((_, i) => i + 1) });
        }
    }
    this.received.push(...batch);
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Passes every envelope on twice (to exercise ack retention in transforms). */
export class DuplicateTransform implements Transform {
  start(): Promise<void> {
    return Promise.resolve();
  }
  process(input: Envelope, emit: (e: Envelope) => void): void {
    input.ack.retain(1);
    emit(input);
    emit(input);
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const empty = z.strictObject({});
const captureSchema = z.strictObject({ behaviour: z.enum(['deliver', 'fail_once', 'reject', 'retry_forever', 'partial']).default('deliver') });

/** A registry with the fakes; `instances` lets tests reach the objects the topology built. */
export function fakeRegistry() {
  const instances = { sources: new Map<string, ManualSource>(), sinks: new Map<string, CaptureSink>() };
  const source: ComponentFactory<'source', object> = {
    type: 'manual', kind: 'source', description: 'test source', schema: empty,
    create: (_c, { id }) => {
      const s = new ManualSource();
      instances.sources.set(id, s);
      return s;
    },
  };
  const sink: ComponentFactory<'sink', z.infer<typeof captureSchema>> = {
    type: 'capture', kind: 'sink', description: 'test sink', schema: captureSchema,
    create: (c, { id }) => {
      const s = new CaptureSink(c.behaviour);
      instances.sinks.set(id, s);
      return s;
    },
  };
  const transform: ComponentFactory<'transform', object> = {
    type: 'duplicate', kind: 'transform', description: 'test transform', schema: empty, create: () => new DuplicateTransform(),
  };
  const registry = new ComponentRegistry().register(source).register(sink).register(transform);
  return { registry, instances };
}

/** Minimal dependencies for building a Topology in a test. */
export function topologyDeps() {
  const registry = new Registry();
  const provided: MetricsTextProvider[] = [];
  return {
    registry,
    provided,
    deps: {
      node: 'test-node',
      dataDir: '/tmp/cargoscope-test',
      metrics: new SelfMetrics(registry),
      logger: silentLogger(),
      transport: new InProcessBus(),
      exposition: { addMetrics: (p: MetricsTextProvider) => void provided.push(p) },
    },
  };
}
