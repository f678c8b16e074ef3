import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadPolicies } from '../../../alerting/autoscale';
import { loadRules } from '../../../alerting/rules';
import { alertRulesFactory, autoscalerFactory, decisionRollups, type DecisionRecord } from '../../../alerting';
import { componentContext } from '../../integration/alerting-helpers';

const rulesConfig = alertRulesFactory.schema.parse({ rules: [{ alert: 'A', metric: 'cpu_usage_limit_ratio', level: 'pod', threshold: 0.9 }] });
const autoscalerConfig = autoscalerFactory.schema.parse({
  policies: [{ name: 'w', target: { type: 'webhook', name: 'w' }, workload: 'swarm/swarm/w', max_replicas: 3, metrics: [{ type: 'cpu', target_utilization: 0.5 }] }],
  decision_webhook: { url: 'http://127.0.0.1:1/hook' },
});

describe('alerting components: lifecycle contract', () => {
  for (const [name, make] of [
    ['alert_rules', () => alertRulesFactory.create(rulesConfig, { id: 'r', node: 'n' })],
    ['autoscaler', () => autoscalerFactory.create(autoscalerConfig, { id: 'a', node: 'n' })],
  ] as const) {
    it(`${name}: shutdown is safe without start and idempotent`, async () => {
      const c = make();
      await c.shutdown(Date.now() + 1000);
      await c.shutdown(Date.now() + 1000);
    });

    it(`${name}: starts, accepts roll-ups, and shuts down twice`, async () => {
      const c = make();
      await c.start(componentContext('x', name));
      await c.send([], new AbortController().signal);
      await c.shutdown(Date.now() + 1000);
      await c.shutdown(Date.now() + 1000);
    });
  }

  it('rejects configs with both or neither of rules and rules_file, with the path', () => {
    const r = alertRulesFactory.schema.safeParse({});
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues.map((i) => i.path.join('.')), ['rules']);
    assert.equal(autoscalerFactory.schema.safeParse({ policies_file: 'p.yaml', policies: autoscalerConfig.policies }).success, false);
  });

  it('publishes a decision as replicaset-level roll-up series', () => {
    const record = { atMs: 5, previousReplicas: 2, desiredReplicas: 4, rawRecommendation: 5 } as DecisionRecord;
    const b = decisionRollups(record, 'swarm/swarm/web', 'src');
    assert.deepEqual(b.series.map((s) => [s.key.level, s.key.replicaset, s.metric, s.value]), [
      ['replicaset', 'web', 'autoscaler_current_replicas', 2], ['replicaset', 'web', 'autoscaler_desired_replicas', 4], ['replicaset', 'web', 'autoscaler_raw_recommendation', 5],
    ]);
  });
});

describe('alerting examples', () => {
  it('the sample rule and policy files load', () => {
    assert.equal(loadRules(readFileSync('alerting/examples/rules.yaml', 'utf8')).length, 2);
    assert.equal(loadPolicies(readFileSync('alerting/examples/policies.yaml', 'utf8')).length, 2);
  });
});
