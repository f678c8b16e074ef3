import assert from 'node:assert/strict';
import { z } from 'zod';
import { buildRegistry } from '../../../cli/registry';
import { ComponentRegistry } from '../../../core/component';
import type { ComponentFactory, Sink } from '../../../core/component/types';

function fakeSink(type: string): ComponentFactory {
  return { type, kind: 'sink', description: 'test', schema: z.object({}), create: () => ({}) as Sink };
}

describe('component registry: lazily registered types', () => {
  it('lists a lazy type at once and loads its module only when first asked for, once', () => {
    let loads = 0;
    const registry = new ComponentRegistry().registerLazy('sink', 'later', () => (loads++, fakeSink('later')));
    assert.deepEqual(registry.types('sink'), ['later']);
    assert.equal(loads, 0);
    assert.equal(registry.get('sink', 'later')?.type, 'later');
    assert.equal(registry.get('sink', 'later')?.type, 'later');
    assert.equal(loads, 1);
    assert.equal(registry.get('source', 'later'), undefined, 'kinds are separate tables');
  });

  it('refuses a loader that brings another type than the one it was registered as', () => {
    const registry = new ComponentRegistry().registerLazy('sink', 'elastic', () => fakeSink('elasticsearch'));
    assert.throws(() => registry.get('sink', 'elastic'), /sink type 'elastic' loaded a factory for sink type 'elasticsearch'/);
  });

  it('refuses the same type twice, lazy or not', () => {
    const registry = new ComponentRegistry().register(fakeSink('x'));
    assert.throws(() => registry.registerLazy('sink', 'x', () => fakeSink('x')), /registered twice/);
  });

  it("the CLI's table: every entry loads the factory it names", () => {
    const registry = buildRegistry();
    const listed = registry.factories().map((f) => `${f.kind}:${f.type}`).sort();
    assert.deepEqual(listed, [
      'sink:alert_rules', 'sink:autoscaler', 'sink:elasticsearch', 'sink:file', 'sink:influxdb', 'sink:prometheus_exporter', 'sink:topic',
      'source:cadvisor', 'source:cgroup', 'source:docker_logs', 'source:docker_stats', 'source:prometheus_query', 'source:topic',
      'transform:rollup',
    ]);
  });
});
