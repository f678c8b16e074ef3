import assert from 'node:assert/strict';
import { Ack, envelope, type LogBatch } from '../../../core/event';
import { buildBulk, classifyItem, dataStreamFor, summarise } from '../../../aggregator/sinks/elasticsearch';
import { identity } from './fixtures';

const logs = (namespace: string, n: number): LogBatch => ({
  type: 'logs', version: 1, source: 'docker_logs',
  container: identity({ id: 'c1', namespace, deployment: 'web' }),
  records: Array.from({ length: n }, (_, i) => ({
    id: `c1:f1:${i * 10}`, time: '2026-11-24T10:00:00.123456789Z', stream: 'stdout' as const, message: `ERROR line ${i}`,
    origin: { fileKey: 'f1', offset: i * 10, endOffset: i * 10 + 10 },
  })),
});

describe('elasticsearch bulk', () => {
  it('uses create with the record id, into the namespace data stream, as ECS', () => {
    const { operations, refs } = buildBulk([envelope(logs('Shop', 2), Ack.detached())], 'logs-cargoscope');
    assert.deepEqual(operations[0], { create: { _index: 'logs-cargoscope-shop', _id: 'c1:f1:0' } });
    const doc = operations[1] as Record<string, unknown>;
    assert.equal(doc['@timestamp'], '2026-11-24T10:00:00.123456789Z');
    assert.deepEqual(doc.kubernetes, { namespace: 'Shop', pod: { name: 'web-5d9c7-x1' }, replicaset: { name: 'web-5d9c7' }, deployment: { name: 'web' } });
    assert.deepEqual(doc.log, { level: 'error' });
    assert.deepEqual(refs, [{ envelope: 0, record: 0 }, { envelope: 0, record: 1 }]);
  });

  it('makes data stream names safe', () => {
    assert.equal(dataStreamFor('logs-cargoscope', 'A/B*c d'), 'logs-cargoscope-a_b_c_d');
    assert.equal(dataStreamFor('logs-cargoscope', '_x'), 'logs-cargoscope-x');
  });

  it('classifies item results: 409 is already indexed, 429/5xx retry, other 4xx reject', () => {
    assert.equal(classifyItem({ status: 201 }), 'indexed');
    assert.equal(classifyItem({ status: 409 }), 'duplicate');
    assert.equal(classifyItem({ status: 429 }), 'retry');
    assert.equal(classifyItem({ status: 503 }), 'retry');
    assert.equal(classifyItem({ status: 400, error: { type: 'mapper_parsing_exception' } }), 'reject');
  });

  it('summarises per envelope: any retry re-sends the envelope; rejects carry ES reasons', () => {
    const refs = [{ envelope: 0, record: 0 }, { envelope: 1, record: 0 }, { envelope: 1, record: 1 }, { envelope: 2, record: 0 }];
    const summary = summarise(refs, [{ status: 201 }, { status: 409 }, { status: 429 }, { status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad' } }]);
    assert.equal(summary.indexed, 1);
    assert.equal(summary.duplicates, 1);
    assert.deepEqual(summary.retryEnvelopes, [1]);
    assert.deepEqual(summary.rejected, [{ ref: { envelope: 2, record: 0 }, reason: 'es_mapper_parsing_exception', detail: 'bad' }]);
  });
});
