import type { Logger } from 'pino';
import { Ack, envelope, type DeadLetter, type Envelope, type Event } from '../event';
import { TOPIC } from '../naming';
import type { ComponentSpec, ValidatedConfig } from '../config/validate';
import { SinkRunner } from '../delivery/sink-runner';
import { ComponentTelemetry } from '../telemetry/component-telemetry';
import { inSpan } from '../telemetry/tracing';
import type { SelfMetrics } from '../telemetry/self-metrics';
import type { Transport } from '../transport/types';
import type { Component, ComponentContext, Exposition, Sink, Source, Transform } from './types';
import { runnerOptions } from './runner-options';

export interface TopologyDeps {
  readonly node: string;
  readonly dataDir: string;
  readonly metrics: SelfMetrics;
  readonly logger: Logger;
  readonly transport: Transport;
  readonly exposition: Exposition;
}

/** Where an envelope goes next: a transform runs inline, a sink gets it in its buffer. */
type Target = { readonly kind: 'transform'; readonly node: TransformNode } | { readonly kind: 'sink'; readonly runner: SinkRunner };

interface TransformNode {
  readonly id: string;
  readonly transform: Transform;
  readonly telemetry: ComponentTelemetry;
  targets: Target[];
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * Wires components from a validated config: sources → (inline) transforms → buffered sinks.
 * Starts sinks first and sources last; shuts down in the reverse order, so intake stops before
 * anything downstream flushes. Acks fan out with the data: an envelope sent to k targets is
 * retained k−1 more times.
 */
export class Topology {
  private state: State = 'new';
  private readonly sources = new Map<string, Source>();
  private readonly transforms = new Map<string, TransformNode>();
  private readonly runners = new Map<string, { sink: Sink; runner: SinkRunner }>();
  private readonly contexts = new Map<string, ComponentContext>();
  private readonly targets = new Map<string, Target[]>();
  private shutdownPromise: Promise<void> | undefined;

  constructor(
    private readonly config: ValidatedConfig,
    private readonly deps: TopologyDeps,
  ) {
    for (const spec of config.components) this.build(spec);
    this.link();
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`topology cannot start from state ${this.state}`);
    this.state = 'starting';
    for (const [id, { sink, runner }] of this.runners) {
      await sink.start(this.context(id));
      runner.start();
    }
    for (const [id, node] of this.transforms) await node.transform.start(this.context(id));
    for (const [id, source] of this.sources) await source.start(this.sourceContext(id));
    if (this.state === 'starting') this.state = 'running';
  }

  /** Idempotent; safe before start. */
  shutdown(deadline: number): Promise<void> {
    this.shutdownPromise ??= this.stop(deadline);
    return this.shutdownPromise;
  }

  private async stop(deadline: number): Promise<void> {
    this.state = 'stopping';
    await this.settleAll([...this.sources.values()], deadline, 'source');
    await this.settleAll([...this.transforms.values()].map((n) => n.transform), deadline, 'transform');
    await Promise.all(
      [...this.runners.values()].map(async ({ sink, runner }) => {
        await runner.shutdown(deadline);
        await sink.shutdown(deadline);
      }),
    );
    this.state = 'stopped';
  }

  private async settleAll(components: Component[], deadline: number, kind: string): Promise<void> {
    const results = await Promise.allSettled(components.map((c) => c.shutdown(deadline)));
    for (const r of results) if (r.status === 'rejected') this.deps.logger.error({ err: r.reason as Error, kind }, 'component shutdown failed');
  }

  private build(spec: ComponentSpec): void {
    const component = spec.factory.create(spec.options, { id: spec.id, node: this.deps.node });
    const ctx = this.makeContext(spec);
    this.contexts.set(spec.id, ctx);
    if (spec.kind === 'source') this.sources.set(spec.id, component);
    else if (spec.kind === 'transform') this.transforms.set(spec.id, { id: spec.id, transform: component as Transform, telemetry: ctx.telemetry, targets: [] });
    else {
      const sink = component as Sink;
      const onRejected = (env: Envelope, reason: string, detail: string): Promise<void> => {
        // A dead letter refused by its own sink would come straight back: count it, log it, stop.
        if (env.event.type === 'deadletter') {
          ctx.logger.error({ reason, detail }, 'a dead letter was refused by its sink; it is dropped');
          return Promise.resolve();
        }
        return ctx.deadLetter(deadLetterFor(env, spec.id, reason, detail));
      };
      const runner = new SinkRunner(sink, { ...runnerOptions(spec), onRejected }, ctx.telemetry, ctx.logger);
      this.runners.set(spec.id, { sink, runner });
    }
  }

  private link(): void {
    for (const spec of this.config.components) {
      for (const input of spec.inputs) {
        const target: Target | undefined =
          spec.kind === 'sink'
            ? { kind: 'sink', runner: (this.runners.get(spec.id) as { runner: SinkRunner }).runner }
            : spec.kind === 'transform'
              ? { kind: 'transform', node: this.transforms.get(spec.id) as TransformNode }
              : undefined;
        if (!target) continue;
        const list = this.targets.get(input) ?? [];
        list.push(target);
        this.targets.set(input, list);
      }
    }
    for (const [id, node] of this.transforms) node.targets = this.targets.get(id) ?? [];
  }

  private makeContext(spec: ComponentSpec): ComponentContext {
    const { node, dataDir, metrics, logger, transport, exposition } = this.deps;
    return {
      id: spec.id,
      type: spec.type,
      kind: spec.kind,
      node,
      dataDir: `${dataDir}/${spec.id}`,
      logger: logger.child({ component_id: spec.id, component_type: spec.type, component_kind: spec.kind }),
      telemetry: new ComponentTelemetry(metrics, { id: spec.id, type: spec.type, kind: spec.kind }),
      transport,
      exposition,
      deadLetter: (letter) => transport.publish(TOPIC.deadletter, [{ key: letter.origin, event: letter }]),
    };
  }

  private context(id: string): ComponentContext {
    return this.contexts.get(id) as ComponentContext;
  }

  private sourceContext(id: string): ComponentContext & { emit(event: Event, ack?: Ack): Promise<void> } {
    const ctx = this.context(id);
    const targets = this.targets.get(id) ?? [];
    return {
      ...ctx,
      emit: (event: Event, ack: Ack = Ack.detached()) => {
        const env = envelope(event, ack);
        ctx.telemetry.eventsSent(env.count, env.sizeBytes);
        return inSpan(`cargoscope.source ${id}`, { 'cargoscope.component.id': id, 'cargoscope.batch.events': env.count }, () =>
          this.route(env, targets, ctx.telemetry),
        );
      },
    };
  }

  private async route(env: Envelope, targets: readonly Target[], from: ComponentTelemetry): Promise<void> {
    if (targets.length === 0) {
      // Validation makes this rare (a source nobody reads): the data is knowingly dropped.
      from.eventsDiscarded(env.count, 'no_consumer');
      env.ack.settle('delivered');
      return;
    }
    if (targets.length > 1) env.ack.retain(targets.length - 1);
    await Promise.all(targets.map((t) => (t.kind === 'sink' ? t.runner.accept(env) : this.runTransform(t.node, env))));
  }

  private async runTransform(node: TransformNode, input: Envelope): Promise<void> {
    node.telemetry.eventsReceived(input.count, input.sizeBytes);
    const outputs: Envelope[] = [];
    try {
      node.transform.process(input, (out) => outputs.push(out));
    } catch (err) {
      node.telemetry.error('transform_threw');
      node.telemetry.eventsDiscarded(input.count, 'transform_threw');
      this.deps.logger.error({ err, component_id: node.id }, 'transform threw; batch rejected');
      input.ack.settle('rejected', `transform ${node.id} threw: ${(err as Error).message}`);
      return;
    }
    for (const out of outputs) {
      node.telemetry.eventsSent(out.count, out.sizeBytes);
      await this.route(out, node.targets, node.telemetry);
    }
  }
}

/** A whole envelope refused by a sink, as a dead letter carrying the original event. */
export function deadLetterFor(env: Envelope, component: string, reason: string, detail: string): DeadLetter {
  const event = env.event;
  const origin = event.type === 'logs' ? `${event.source}:${event.container.id}` : event.type === 'metrics' ? `${event.source}@${event.node}` : event.type;
  return { type: 'deadletter', version: 1, component, reason, detail, origin, payload: JSON.stringify(event), payloadEncoding: 'utf8', atMs: Date.now() };
}
