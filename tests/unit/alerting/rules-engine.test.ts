import assert from 'node:assert/strict';
import { RuleEngine, type EngineAlert } from '../../../alerting/engine';
import { batch, rsKey, rule } from './rules-helpers';

const WEB = rsKey('web');
const T = 1_700_000_000_000;

function phases(alerts: readonly EngineAlert[]): string[] {
  return alerts.map((a) => `${a.labels['replicaset']}:${a.phase}`);
}

/** Feeds one value per 10 s step and evaluates after each; returns the phases seen per step. */
function run(engine: RuleEngine, values: readonly number[], key = WEB): string[][] {
  return values.map((v, i) => {
    const at = T + i * 10_000;
    engine.ingest(batch(at, [[key, v]]));
    return phases(engine.evaluate(at));
  });
}

describe('rule engine: alert lifecycle', () => {
  it('goes pending, then firing after `for`, then resolved', () => {
    const engine = new RuleEngine([rule({ window_secs: 10, for_secs: 20 })]);
    const seen = run(engine, [0.5, 0.9, 0.9, 0.9, 0.5, 0.5]);
    assert.deepEqual(seen, [[], ['web:pending'], ['web:pending'], ['web:firing'], ['web:resolved'], ['web:resolved']]);
  });

  it('forgets a pending alert whose condition ends before `for`', () => {
    const engine = new RuleEngine([rule({ window_secs: 10, for_secs: 60 })]);
    assert.deepEqual(run(engine, [0.9, 0.5]), [['web:pending'], []]);
  });

  it('fires at once with for 0 and keeps stable identity (fingerprint, startsAt)', () => {
    const engine = new RuleEngine([rule({ window_secs: 10 })]);
    engine.ingest(batch(T, [[WEB, 0.9]]));
    const [a] = engine.evaluate(T);
    engine.ingest(batch(T + 10_000, [[WEB, 0.95]]));
    const [b] = engine.evaluate(T + 10_000);
    assert.equal(a?.phase, 'firing');
    assert.equal(a?.fingerprint, b?.fingerprint);
    assert.equal(b?.firedAtMs, T);
    assert.match(a?.fingerprint ?? '', /^[0-9a-f]{16}$/);
  });

  it('holds an active alert until the clear threshold is crossed (hysteresis)', () => {
    const engine = new RuleEngine([rule({ window_secs: 10, clear_threshold: 0.6 })]);
    assert.deepEqual(run(engine, [0.9, 0.7, 0.61, 0.6, 0.7]).map((p) => p[0]), [
      'web:firing', 'web:firing', 'web:firing', 'web:resolved', 'web:resolved',
    ]);
  });

  it('keeps firing for keep_firing_for after the condition ends', () => {
    const engine = new RuleEngine([rule({ window_secs: 10, keep_firing_for_secs: 20 })]);
    assert.deepEqual(run(engine, [0.9, 0.1, 0.1, 0.1]).map((p) => p[0]), ['web:firing', 'web:firing', 'web:firing', 'web:resolved']);
  });

  it('starts a new alert when a resolved one becomes true again', () => {
    const engine = new RuleEngine([rule({ window_secs: 10 })]);
    engine.ingest(batch(T, [[WEB, 0.9]]));
    const first = engine.evaluate(T)[0];
    engine.ingest(batch(T + 10_000, [[WEB, 0.1]]));
    engine.evaluate(T + 10_000);
    engine.ingest(batch(T + 20_000, [[WEB, 0.9]]));
    const again = engine.evaluate(T + 20_000)[0];
    assert.equal(again?.phase, 'firing');
    assert.equal(again?.firedAtMs, T + 20_000);
    assert.equal(again?.fingerprint, first?.fingerprint);
  });

  it('resolves when the series vanishes and drops the alert after the retention', () => {
    const engine = new RuleEngine([rule({ window_secs: 10 })], { resolvedRetentionMs: 60_000 });
    engine.ingest(batch(T, [[WEB, 0.9]]));
    assert.equal(engine.evaluate(T)[0]?.phase, 'firing');
    assert.equal(engine.evaluate(T + 30_000)[0]?.phase, 'resolved');
    assert.equal(engine.evaluate(T + 30_000 + 60_000).length, 0);
  });

  it('puts series labels, rule labels and alertname on the alert and renders annotations', () => {
    const engine = new RuleEngine([rule({
      window_secs: 10, labels: { severity: 'page' },
      annotations: { summary: 'CPU of {{ $labels.replicaset }} at {{ $value | humanizePercentage }}', raw: '{{$value | printf "%.1f"}}' },
    })]);
    engine.ingest(batch(T, [[WEB, 0.9]]));
    const [a] = engine.evaluate(T);
    assert.deepEqual(a?.labels, { level: 'replicaset', namespace: 'shop', workload: 'kubernetes/shop/web', replicaset: 'web', severity: 'page', alertname: 'HighCpu' });
    assert.deepEqual(a?.annotations, { summary: 'CPU of web at 90%', raw: '0.9' });
  });
});

describe('rule engine: selection and reducers', () => {
  it('selects by equality, inequality and anchored regex', () => {
    const engine = new RuleEngine([
      rule({ alert: 'A', window_secs: 10, selector: { namespace: 'shop', replicaset: '=~web.*' } }),
      rule({ alert: 'B', window_secs: 10, selector: { replicaset: '!=web' } }),
      rule({ alert: 'C', window_secs: 10, selector: { replicaset: '=~eb' } }),
    ]);
    engine.ingest(batch(T, [[WEB, 0.9], [rsKey('web-2'), 0.9], [rsKey('api'), 0.9], [rsKey('web', 'other'), 0.9]]));
    const got = engine.evaluate(T).map((a) => `${a.labels['alertname']}:${a.labels['namespace']}/${a.labels['replicaset']}`).sort();
    assert.deepEqual(got, ['A:shop/web', 'A:shop/web-2', 'B:shop/api', 'B:shop/web-2']);
  });

  it('reduces over the window: avg, min, max, sum, last, quantile, rate', () => {
    const cases: Array<[Record<string, unknown>, number]> = [
      [{ reducer: 'avg' }, 2.5], [{ reducer: 'min' }, 1], [{ reducer: 'max' }, 4], [{ reducer: 'sum' }, 10], [{ reducer: 'last' }, 4],
      [{ reducer: 'quantile', quantile: 0.5 }, 2.5], [{ reducer: 'quantile', quantile: 0.9 }, 3.7], [{ reducer: 'rate' }, 0.1],
    ];
    for (const [overrides, expected] of cases) {
      const engine = new RuleEngine([rule({ window_secs: 40, threshold: -1, ...overrides })]);
      [1, 2, 3, 4].forEach((v, i) => engine.ingest(batch(T + i * 10_000, [[WEB, v]])));
      const [a] = engine.evaluate(T + 30_000);
      assert.ok(Math.abs((a?.value ?? NaN) - expected) < 1e-9, `${JSON.stringify(overrides)}: ${a?.value} ≠ ${expected}`);
    }
  });

  it('only reads samples inside (now − window, now]', () => {
    const engine = new RuleEngine([rule({ window_secs: 20, reducer: 'max' })]);
    engine.ingest(batch(T, [[WEB, 0.99]]));
    engine.ingest(batch(T + 10_000, [[WEB, 0.1]]));
    engine.ingest(batch(T + 20_000, [[WEB, 0.1]]));
    assert.equal(engine.evaluate(T + 20_000).length, 0);
  });

  it('treats a counter drop as a reset in rate', () => {
    const engine = new RuleEngine([rule({ window_secs: 40, reducer: 'rate', threshold: -1 })]);
    [10, 20, 5, 15].forEach((v, i) => engine.ingest(batch(T + i * 10_000, [[WEB, v]])));
    assert.equal(engine.evaluate(T + 30_000)[0]?.value, (10 + 5 + 10) / 30);
  });

  it('sees new series after the first evaluation', () => {
    const engine = new RuleEngine([rule({ window_secs: 10 })]);
    engine.ingest(batch(T, [[WEB, 0.9]]));
    assert.equal(engine.evaluate(T).length, 1);
    engine.ingest(batch(T + 10_000, [[WEB, 0.9], [rsKey('api'), 0.9]]));
    assert.equal(engine.evaluate(T + 10_000).length, 2);
  });
});
