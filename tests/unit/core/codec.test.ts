import assert from 'node:assert/strict';
import { decodeEvent, encodeEvent } from '../../../core/transport';
import { metricBatch } from '../../helpers/fakes';

describe('transport codec', () => {
  it('round-trips an event', () => {
    const event = metricBatch(2);
    const decoded = decodeEvent(encodeEvent(event));
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.event, event);
  });

  it('names the reason for every kind of poison record', () => {
    const reasons = [null, Buffer.from('{not json'), Buffer.from('[1]'), Buffer.from('{"type":"bogus","version":1}'), Buffer.from('{"type":"metrics","version":2}'), Buffer.from('{"type":"metrics","version":1}')]
      .map((value) => decodeEvent(value))
      .map((r) => (r.ok ? 'ok' : r.reason));
    assert.deepEqual(reasons, ['empty', 'unparseable', 'unknown_type', 'unknown_type', 'unknown_version', 'malformed']);
  });
});
