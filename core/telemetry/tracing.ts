import { trace, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface TracingOptions {
  /** OTLP/HTTP traces endpoint (`http://127.0.0.1:4318/v1/traces`); null keeps export off. */
  readonly otlpEndpoint: string | null;
  readonly sampleRatio: number;
  readonly serviceName: string;
  /** Extra processors (tests attach an in-memory exporter here). */
  readonly processors?: readonly SpanProcessor[];
}

/**
 * OpenTelemetry set up with sdk-node. Export stays off unless an endpoint is configured: we pass
 * an explicit (possibly empty) processor list so the SDK never falls back to OTEL_* defaults that
 * would try to reach a collector the user did not ask for.
 */
export class Tracing {
  private sdk: NodeSDK | undefined;

  /**
   * The SDK (about 900 modules) is loaded only when something will see the spans: with tracing
   * off, the API's no-op tracer costs nothing and the process starts faster.
   */
  async start(options: TracingOptions): Promise<void> {
    if (this.sdk) return;
    const processors: SpanProcessor[] = [...(options.processors ?? [])];
    if (options.otlpEndpoint) {
      const [{ BatchSpanProcessor }, { OTLPTraceExporter }] = await Promise.all([
        import('@opentelemetry/sdk-trace-base'),
        import('@opentelemetry/exporter-trace-otlp-http'),
      ]);
      processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: options.otlpEndpoint })));
    }
    if (processors.length === 0) return; // nothing would see the spans: keep the no-op tracer
    const [{ NodeSDK }, { TraceIdRatioBasedSampler }] = await Promise.all([import('@opentelemetry/sdk-node'), import('@opentelemetry/sdk-trace-base')]);
    this.sdk = new NodeSDK({
      serviceName: options.serviceName,
      spanProcessors: processors,
      sampler: new TraceIdRatioBasedSampler(options.sampleRatio),
      instrumentations: [],
      autoDetectResources: false,
      metricReaders: [],
      logRecordProcessors: [],
    });
    this.sdk.start();
  }

  async shutdown(): Promise<void> {
    const sdk = this.sdk;
    this.sdk = undefined;
    await sdk?.shutdown();
  }
}

export function tracer(): Tracer {
  return trace.getTracer('cargoscope');
}

/** Runs `work` inside a span named after the component and batch, recording failures. */
export async function inSpan<T>(name: string, attributes: Record<string, string | number>, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
