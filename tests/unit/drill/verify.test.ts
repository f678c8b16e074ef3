import assert from 'node:assert/strict';
import { counterValues, slope } from '../../drill/sampler';
import { tally } from '../../drill/verify-logs';
import { checkGaps, type Fault } from '../../drill/verify-metrics';
import { checkAlerts } from '../../drill/verify-alerts';
import { phaseAt } from '../../drill/report';
import type { Received } from '../../integration/alerting-helpers';

const line = (prefix: string, n: number): string => `${prefix} ${String(n).padStart(9, '0')}`;

describe('drill checks (tests/drill)', () => {
  describe('tally', () => {
    it('counts duplicates and gaps by line number, whatever the document ids were', () => {
      const want = new Map([['a', 3], ['b', 2]]);
      const r = tally([line('a', 1), line('a', 2), line('a', 2), line('b', 2), line('x', 1), line('a', 4)], want);
      assert.equal(r.produced, 5);
      assert.equal(r.indexed, 6);
      assert.equal(r.duplicates, 1);
      assert.equal(r.missing, 2); // a 3, b 1
      assert.equal(r.unexpected, 2); // x 1 belongs to no writer; a 4 is past a's last line
      assert.deepEqual(r.unexpectedSamples, [line('x', 1), line('a', 4)]);
      assert.deepEqual(r.problems.map((p) => [p.prefix, p.firstMissing]), [['a', [3]], ['b', [1]]]);
    });

    it('passes a complete, duplicate-free set', () => {
      const r = tally([line('a', 2), line('a', 1)], new Map([['a', 2]]));
      assert.deepEqual([r.missing, r.duplicates, r.unexpected, r.problems.length], [0, 0, 0, 0]);
    });
  });

  describe('checkGaps', () => {
    const fault: Fault = { kind: 'stop', target: 'kafka', startMs: 10_000, endMs: 30_000, graceMs: 0 };
    it('allows a gap of the overlapping outage plus one interval, and one interval elsewhere', () => {
      const ok = checkGaps('influxdb', new Map([['w', [0, 5000, 10_000, 35_000, 40_000]]]), [fault], 5000, 0, 50_000);
      assert.deepEqual(ok.violations, []);
      assert.equal(ok.maxGapSecs, 25);
      const bad = checkGaps('influxdb', new Map([['w', [0, 5000, 12_000, 40_000, 50_000]]]), [fault], 5000, 0, 50_000);
      assert.deepEqual(bad.violations.map((v) => [v.gapSecs, v.fault]), [[28, 'stop kafka'], [10, 'none']]);
    });

    it('judges a gap by the fault it overlaps most, not by a longer one it only touches', () => {
      const es: Fault = { kind: 'stop', target: 'elasticsearch', startMs: 34_000, endMs: 94_000, graceMs: 0 };
      const r = checkGaps('influxdb', new Map([['w', [0, 5000, 10_000, 40_000, 45_000]]]), [fault, es], 5000, 0, 50_000);
      assert.deepEqual(r.violations.map((v) => [v.gapSecs, v.fault, v.allowedSecs]), [[30, 'stop kafka', 26]]);
    });

    it('reports a workload without points as empty', () => {
      assert.deepEqual(checkGaps('prometheus', new Map([['w', []]]), [], 5000, 0, 1).empty, ['w']);
    });
  });

  it('phaseAt names the fault in progress (grace included), else the time since the last one', () => {
    const faults: Fault[] = [
      { kind: 'kill', target: 'aggregator-1', startMs: 10_000, endMs: 20_000, graceMs: 5_000 },
      { kind: 'stop', target: 'kafka', startMs: 40_000, endMs: 100_000, graceMs: 0 },
    ];
    assert.equal(phaseAt(faults, 5_000), 'before the first fault');
    assert.equal(phaseAt(faults, 24_000), 'kill aggregator-1');
    assert.equal(phaseAt(faults, 35_000), '10 s after kill aggregator-1');
    assert.equal(phaseAt(faults, 100_000), 'stop kafka');
    assert.equal(phaseAt(faults, 130_000), '30 s after stop kafka');
  });

  it('slope is the least-squares slope', () => {
    assert.equal(slope([[0, 1], [1, 3], [2, 5]]), 2);
    assert.ok(Number.isNaN(slope([[0, 1]])));
  });

  it('counterValues reads one metric family from a text exposition', () => {
    const text = '# HELP x\nfoo_total{reason="a"} 2\nfoo_total_other 9\nfoo_total{reason="b"} 3\n';
    assert.deepEqual(counterValues(text, 'foo_total'), [{ labels: '{reason="a"}', value: 2 }, { labels: '{reason="b"}', value: 3 }]);
  });

  it('checkAlerts counts firing episodes by startsAt, not by notification', () => {
    const alert = (status: 'firing' | 'resolved', startsAt: string) => ({ status, labels: { alertname: 'A', replicaset: 'r' }, annotations: {}, startsAt, endsAt: '', generatorURL: '', fingerprint: 'f' });
    const got = (atMs: number, status: 'firing' | 'resolved', startsAt: string): Received => ({
      atMs, signatureValid: true,
      payload: { version: '4', groupKey: '', truncatedAlerts: 0, status, receiver: 'd', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: '', alerts: [alert(status, startsAt)] },
    });
    const ep = { replicaset: 'r', startMs: 0, stopMs: 10_000 };
    const once = checkAlerts([got(3000, 'firing', 't1'), got(8000, 'firing', 't1'), got(14_000, 'resolved', 't1')], 'A', [ep]);
    assert.deepEqual(once.map((a) => [a.firings, a.resolved, a.fireAfterSecs, a.resolveAfterSecs]), [[1, true, 3, 4]]);
    const twice = checkAlerts([got(3000, 'firing', 't1'), got(8000, 'firing', 't2')], 'A', [ep]);
    assert.deepEqual(twice.map((a) => [a.firings, a.resolved]), [[2, false]]);
  });
});
