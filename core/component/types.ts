import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import type { SinkDeliveryDefaults } from '../config/shared-schemas';
import type { Ack, DeadLetter, Envelope, Event } from '../event';
import type { ComponentTelemetry } from '../telemetry/component-telemetry';
import type { Transport } from '../transport/types';

/** Something that contributes text to the process's `/metrics` (Prometheus exposition format). */
export type MetricsTextProvider = () => string | Promise<string>;

/** The process's HTTP surface as components see it. */
export interface Exposition {
  addMetrics(provider: MetricsTextProvider): void;
}

export type ComponentKind = 'source' | 'transform' | 'sink';

/** Absolute time (epoch ms) by which a shutdown must have finished. */
export type Deadline = number;

/** What every component gets from the topology, whatever its kind. */
export interface ComponentContext {
  readonly id: string;
  readonly type: string;
  readonly kind: ComponentKind;
  /** This node's name (hostname unless configured). */
  readonly node: string;
  /** Directory for the component's own state (checkpoints); created on demand by the component. */
  readonly dataDir: string;
  readonly logger: Logger;
  readonly telemetry: ComponentTelemetry;
  /** Kafka or the in-process bus, per `transport.type`. */
  readonly transport: Transport;
  /**
   * Routes what cannot be delivered to `cargoscope.deadletter.v1` (with reason and origin).
   * Resolves once the dead letter is durable; rejects (retryably) otherwise.
   */
  deadLetter(letter: DeadLetter): Promise<void>;
  readonly exposition: Exposition;
}

export interface SourceContext extends ComponentContext {
  /**
   * Hands a batch downstream. Resolves when the batch was accepted by every downstream queue —
   * which is when backpressure lets go — not when it was delivered: await `ack.done` for that.
   * Without `ack`, a detached one is used (nothing waits for delivery).
   */
  emit(event: Event, ack?: Ack): Promise<void>;
}

/**
 * Every component's lifecycle. `shutdown` is idempotent, safe without `start`, stops intake,
 * flushes what it holds, releases timers, sockets and files, and returns by `deadline`.
 */
export interface Lifecycle {
  shutdown(deadline: Deadline): Promise<void>;
}

export interface Source extends Lifecycle {
  start(ctx: SourceContext): Promise<void>;
}

/**
 * Transforms are synchronous on purpose: they run on the hot path between queues, and anything
 * that needs I/O is a source or a sink. A transform that drops an envelope settles its ack itself.
 */
export interface Transform extends Lifecycle {
  start(ctx: ComponentContext): Promise<void>;
  process(input: Envelope, emit: (output: Envelope) => void): void;
}

/** Per-item outcome of a send for sinks that can partially succeed (Elasticsearch bulk). */
export interface PartialSendResult {
  /** Indexes into the sent batch that must be retried. */
  readonly retry?: readonly number[];
  /** Indexes permanently refused (the sink has routed them to the dead letter), with reasons. */
  readonly rejected?: ReadonlyArray<{ readonly index: number; readonly reason: string }>;
}

/**
 * Sinks implement only the send. Queueing, batching, retries, timeouts and acknowledgements come
 * from core/delivery's SinkRunner. `send` throws a classified error (core/delivery/errors) for a
 * failure of the whole batch, or returns per-item results.
 */
export interface Sink extends Lifecycle {
  start(ctx: ComponentContext): Promise<void>;
  /**
   * Optional: called as each envelope enters the sink's buffer, after `start`. Returns what is
   * buffered and later handed to `send` in its place — the same ack, size and count, its event in
   * a more compact form (bytes a sink would have encoded at send time anyway). Must not throw.
   */
  prepare?(envelope: Envelope): Envelope;
  send(batch: readonly Envelope[], signal: AbortSignal): Promise<PartialSendResult | void>;
}

export type Component = Source | Transform | Sink;

export interface ComponentByKind {
  source: Source;
  transform: Transform;
  sink: Sink;
}

/** Construction-time context for factories (no I/O happens in `create`). */
export interface FactoryContext {
  readonly id: string;
  readonly node: string;
}

/**
 * A registered component type. `schema` validates the component's own options (everything but
 * `type` and `inputs`): unknown keys rejected, defaults filled.
 */
export interface ComponentFactory<K extends ComponentKind = ComponentKind, C = unknown> {
  readonly type: string;
  readonly kind: K;
  readonly description: string;
  readonly schema: ZodType<C>;
  /** Which event types it accepts (transforms, sinks) — checked when the topology is wired. */
  readonly accepts?: readonly Event['type'][];
  /** Sinks: defaults of the shared delivery groups (`batch`, …) where this type needs its own. */
  readonly deliveryDefaults?: SinkDeliveryDefaults;
  create(config: C, ctx: FactoryContext): ComponentByKind[K];
}
