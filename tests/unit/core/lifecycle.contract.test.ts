import assert from 'node:assert/strict';
import { Topology } from '../../../core/component';
import { loadConfigText } from '../../../core/config';
import { buildRegistry } from '../../../cli/registry';
import { DEFAULT_CONFIG } from '../../../cli/defaults';
import { topologyDeps } from '../../helpers/fakes';

/**
 * The lifecycle contract, run against every registered component type: shutdown is idempotent,
 * safe without start, and returns by its deadline.
 */
describe('component lifecycle contract', () => {
  const registry = buildRegistry();
  for (const factory of registry.factories()) {
    describe(`${factory.kind} ${factory.type}`, () => {
      const minimal = minimalOptions(`${factory.kind}:${factory.type}`);
      it('shuts down without having been started, twice', async () => {
        const component = factory.create(factory.schema.parse(minimal), { id: 'x', node: 'n' });
        await component.shutdown(Date.now() + 1000);
        await component.shutdown(Date.now() + 1000);
      });
    });
  }

  it('a whole topology shuts down twice, and before start, within its deadline', async () => {
    const config = loadConfigText(DEFAULT_CONFIG.run, { registry, defaultListen: '127.0.0.1:0', env: {} });
    const unstarted = new Topology(config, topologyDeps().deps);
    await unstarted.shutdown(Date.now() + 1000);
    const topology = new Topology(config, topologyDeps().deps);
    await topology.start();
    assert.equal(topology.isRunning, true);
    const started = Date.now();
    await topology.shutdown(Date.now() + 2000);
    await topology.shutdown(Date.now() + 2000);
    assert.ok(Date.now() - started < 2000);
    assert.equal(topology.isRunning, false);
  });
});

/** The smallest valid options per type (required keys only). */
function minimalOptions(kindAndType: string): Record<string, unknown> {
  const required: Record<string, Record<string, unknown>> = {
    'sink:topic': { topic: 't' },
    'source:topic': { topics: ['t'] },
    'source:prometheus_query': { queries: [{ metric: 'm', level: 'cluster', query: 'up' }] },
    'sink:alert_rules': { rules: [] },
    'sink:autoscaler': {
      dry_run: true,
      policies: [{ name: 'p', target: { type: 'webhook', name: 'x' }, workload: 'standalone/standalone/x', max_replicas: 2, metrics: [{ type: 'cpu', target_utilization: 0.5 }] }],
    },
  };
  return required[kindAndType] ?? {};
}
