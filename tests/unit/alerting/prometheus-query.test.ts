import assert from 'node:assert/strict';
import { parseQueryResponse, vectorToSeries } from '../../../alerting/sources/prometheus_query';

describe('prometheus_query mapping', () => {
  const spec = { metric: 'cpu_usage_cores', level: 'replicaset' as const, query: 'q' };

  it('turns key labels into the series key and drops the rest', () => {
    const series = vectorToSeries(spec, [
      { metric: { namespace: 'shop', replicaset: 'web-1', instance: 'x:1', __name__: 'y' }, value: [1, '0.75'] },
    ]);
    assert.deepEqual(series, [{ key: { level: 'replicaset', namespace: 'shop', replicaset: 'web-1' }, metric: 'cpu_usage_cores', value: 0.75 }]);
  });

  it('skips NaN and infinite samples', () => {
    const series = vectorToSeries(spec, [
      { metric: {}, value: [1, 'NaN'] },
      { metric: {}, value: [1, '+Inf'] },
      { metric: {}, value: [1, '2'] },
    ]);
    assert.deepEqual(series.map((s) => s.value), [2]);
  });

  it('explains why an answer cannot be used', () => {
    assert.deepEqual(parseQueryResponse({ status: 'error', error: 'parse error' }), { ok: false, reason: 'status error: parse error' });
    const matrix = parseQueryResponse({ status: 'success', data: { resultType: 'matrix', result: [] } });
    assert.equal(matrix.ok, false);
    assert.ok(!matrix.ok && /instant vector/.test(matrix.reason));
    assert.equal(parseQueryResponse('nope').ok, false);
    assert.equal(parseQueryResponse({ status: 'success', data: { resultType: 'vector', result: [] } }).ok, true);
  });
});
