import assert from 'node:assert/strict';
import { isMembershipError } from '../../../core/transport/kafka';

describe('kafka transport: when a pending batch is let go', () => {
  it('lets go on the heartbeat answers that mean the group is rebalancing or dropped this member', () => {
    for (const type of ['REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION']) {
      assert.equal(isMembershipError({ name: 'KafkaJSProtocolError', type }), true, type);
    }
  });
  it('holds on through broker outages and other errors (the heartbeat is retried)', () => {
    assert.equal(isMembershipError({ name: 'KafkaJSConnectionError', message: 'Connection error: ECONNREFUSED' }), false);
    assert.equal(isMembershipError({ name: 'KafkaJSProtocolError', type: 'COORDINATOR_NOT_AVAILABLE' }), false);
    assert.equal(isMembershipError(undefined), false);
  });
});
