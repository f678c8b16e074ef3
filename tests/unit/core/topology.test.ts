import assert from 'node:assert/strict';
import { Topology } from '../../../core/component';
import { loadConfigText } from '../../../core/config';
import { fakeRegistry, metricBatch, topologyDeps } from '../../helpers/fakes';

function build(yaml: string) {
  const { registry, instances } = fakeRegistry();
  const config = loadConfigText(yaml, { registry, defaultListen: '127.0.0.1:0', env: {} });
  const { deps, registry: metrics } = topologyDeps();
  return { topology: new Topology(config, deps), instances, metrics };
}

const fast = 'retry: { initial_backoff_ms: 1, max_backoff_ms: 2 }\n    batch: { timeout_ms: 0 }';

describe('Topology and acknowledgements', () => {
  it('acks delivered only after every fanned-out sink delivered', async () => {
    const { topology, instances } = build(`
sources:
  in: { type: manual }
sinks:
  a: { type: capture, inputs: [in] }
  b:
    type: capture
    behaviour: fail_once
    inputs: [in]
    ${fast}
`);
    await topology.start();
    const ack = await instances.sources.get('in')!.emit(metricBatch(2));
    assert.equal(await ack.done, 'delivered');
    assert.equal(instances.sinks.get('a')!.received.length, 1);
    assert.equal(instances.sinks.get('b')!.received.length, 1);
    assert.equal(instances.sinks.get('b')!.attempts, 2, 'the first failure was retried');
    await topology.shutdown(Date.now() + 1000);
  });

  it('propagates a permanent rejection as `rejected`, counted as discarded', async () => {
    const { topology, instances, metrics } = build(`
sources:
  in: { type: manual }
sinks:
  es: { type: capture, behaviour: reject, inputs: [in] }
`);
    await topology.start();
    const ack = await instances.sources.get('in')!.emit(metricBatch(3));
    assert.equal(await ack.done, 'rejected');
    const text = await metrics.metrics();
    assert.match(text, /cargoscope_component_discarded_events_total\{component_id="es",component_type="capture",component_kind="sink",reason="http_400"\} 3/);
    await topology.shutdown(Date.now() + 1000);
  });

  it('fails the ack (so the source keeps its position) when shutdown interrupts retries', async () => {
    const { topology, instances } = build(`
sources:
  in: { type: manual }
sinks:
  down:
    type: retry_forever_placeholder
`.replace('type: retry_forever_placeholder', `type: capture\n    behaviour: retry_forever\n    inputs: [in]\n    ${fast}`));
    await topology.start();
    const ack = await instances.sources.get('in')!.emit(metricBatch(1));
    await topology.shutdown(Date.now() + 50);
    assert.equal(await ack.done, 'failed');
  });

  it('retries only the items a partial send asked to retry', async () => {
    const { topology, instances } = build(`
sources:
  in: { type: manual }
sinks:
  bulk:
    type: capture
    behaviour: partial
    inputs: [in]
    retry: { initial_backoff_ms: 1, max_backoff_ms: 2 }
    batch: { timeout_ms: 50, max_events: 3 }
`);
    await topology.start();
    const source = instances.sources.get('in')!;
    const acks = await Promise.all([source.emit(metricBatch(1)), source.emit(metricBatch(1)), source.emit(metricBatch(1))]);
    assert.deepEqual(await Promise.all(acks.map((a) => a.done)), ['delivered', 'delivered', 'delivered']);
    assert.equal(instances.sinks.get('bulk')!.received.length, 3, 'each item delivered exactly once');
    await topology.shutdown(Date.now() + 1000);
  });

  it('keeps the ack open until both copies from a transform are delivered', async () => {
    const { topology, instances } = build(`
sources:
  in: { type: manual }
transforms:
  twice: { type: duplicate, inputs: [in] }
sinks:
  out: { type: capture, inputs: [twice] }
`);
    await topology.start();
    const ack = await instances.sources.get('in')!.emit(metricBatch(1));
    assert.equal(await ack.done, 'delivered');
    assert.equal(instances.sinks.get('out')!.received.length, 2);
    await topology.shutdown(Date.now() + 1000);
  });

  it('drops by policy when a buffer is full, settling the dropped ack as rejected', async () => {
    const { topology, instances } = build(`
sources:
  in: { type: manual }
sinks:
  slow:
    type: capture
    behaviour: retry_forever
    inputs: [in]
    buffer: { max_events: 1, when_full: drop_newest }
    ${fast}
`);
    await topology.start();
    const source = instances.sources.get('in')!;
    const first = await source.emit(metricBatch(1)); // taken by the sink's worker, retrying
    await new Promise((r) => setTimeout(r, 10));
    await source.emit(metricBatch(1)); // fills the one-slot buffer
    const third = await source.emit(metricBatch(1)); // dropped
    assert.equal(await third.done, 'rejected');
    assert.equal(first.settled, false);
    await topology.shutdown(Date.now() + 20);
  });
});
