import assert from 'node:assert/strict';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Topology } from '../../../core/component';
import { loadConfigText } from '../../../core/config';
import { Tracing } from '../../../core/telemetry';
import { fakeRegistry, metricBatch, topologyDeps } from '../../helpers/fakes';

describe('tracing', () => {
  it('records a span per batch at the source and at each sink, and exports nothing unless configured', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = new Tracing();
    await tracing.start({ otlpEndpoint: null, sampleRatio: 1, serviceName: 'test', processors: [new SimpleSpanProcessor(exporter)] });
    try {
      const { registry, instances } = fakeRegistry();
      const config = loadConfigText('sources:\n  in: { type: manual }\nsinks:\n  out: { type: capture, inputs: [in], batch: { timeout_ms: 0 } }\n', { registry, defaultListen: '127.0.0.1:0', env: {} });
      const topology = new Topology(config, topologyDeps().deps);
      await topology.start();
      const ack = await instances.sources.get('in')!.emit(metricBatch(3));
      await ack.done;
      await topology.shutdown(Date.now() + 1000);
      const names = exporter.getFinishedSpans().map((s) => s.name);
      assert.ok(names.includes('cargoscope.source in'), names.join(','));
      assert.ok(names.includes('cargoscope.sink out'), names.join(','));
      const sinkSpan = exporter.getFinishedSpans().find((s) => s.name === 'cargoscope.sink out');
      assert.equal(sinkSpan?.attributes['cargoscope.batch.events'], 3);
    } finally {
      await tracing.shutdown();
    }
  });
});
