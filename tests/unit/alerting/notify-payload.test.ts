import assert from 'node:assert/strict';
import { buildWebhookPayload, groupLabelsOf, sign, verifySignature, type NotifyAlert } from '../../../alerting/notify';

const base: NotifyAlert = {
  fingerprint: 'f1', labels: { alertname: 'HighCpu', pod: 'a', severity: 'page' }, annotations: { summary: 's' },
  startsAtMs: Date.UTC(2026, 0, 1), endsAtMs: 0, generatorURL: 'http://cargoscope/rules',
};

describe('Alertmanager v4 webhook payload', () => {
  it('has exactly the v4 fields with firing first and zero endsAt while firing', () => {
    const resolved: NotifyAlert = { ...base, fingerprint: 'f2', labels: { alertname: 'HighCpu', pod: 'b', severity: 'page' }, annotations: { summary: 'other' }, endsAtMs: Date.UTC(2026, 0, 1, 0, 5) };
    const p = buildWebhookPayload({
      receiver: 'hook', groupKey: '{}:{alertname="HighCpu"}', groupLabels: { alertname: 'HighCpu' }, alerts: [resolved, base],
      externalURL: 'http://cargoscope', nowMs: Date.UTC(2026, 0, 1, 0, 10), maxAlerts: 0,
    });
    assert.deepEqual(Object.keys(p).sort(), ['alerts', 'commonAnnotations', 'commonLabels', 'externalURL', 'groupKey', 'groupLabels', 'receiver', 'status', 'truncatedAlerts', 'version']);
    assert.equal(p.version, '4');
    assert.equal(p.status, 'firing');
    assert.deepEqual(p.commonLabels, { alertname: 'HighCpu', severity: 'page' });
    assert.deepEqual(p.commonAnnotations, {});
    assert.deepEqual(p.alerts.map((a) => [a.status, a.endsAt]), [['firing', '0001-01-01T00:00:00Z'], ['resolved', '2026-01-01T00:05:00.000Z']]);
    assert.deepEqual(Object.keys(p.alerts[0] ?? {}).sort(), ['annotations', 'endsAt', 'fingerprint', 'generatorURL', 'labels', 'startsAt', 'status']);
    assert.equal(p.alerts[0]?.startsAt, '2026-01-01T00:00:00.000Z');
  });

  it('is resolved when every alert is, and truncates to max_alerts while counting the rest', () => {
    const alerts = ['a', 'b', 'c'].map((pod, i) => ({ ...base, fingerprint: pod, labels: { alertname: 'X', pod }, endsAtMs: 1000 + i }));
    const p = buildWebhookPayload({ receiver: 'r', groupKey: 'k', groupLabels: {}, alerts, externalURL: '', nowMs: 10_000, maxAlerts: 2 });
    assert.equal(p.status, 'resolved');
    assert.equal(p.alerts.length, 2);
    assert.equal(p.truncatedAlerts, 1);
    assert.deepEqual(p.commonLabels, { alertname: 'X' });
  });

  it('picks group labels, or all of them with "..."', () => {
    assert.deepEqual(groupLabelsOf({ a: '1', b: '2' }, ['b', 'c']), { b: '2' });
    assert.deepEqual(groupLabelsOf({ a: '1', b: '2' }, ['...']), { a: '1', b: '2' });
  });
});

describe('webhook HMAC-SHA256 signatures', () => {
  const body = JSON.stringify({ hello: 'world' });

  it('verifies what it signed, over the timestamp and the body', () => {
    const header = sign('s3cret', body, 1_700_000_000);
    assert.match(header, /^sha256=[0-9a-f]{64}$/);
    assert.equal(verifySignature('s3cret', body, '1700000000', header), true);
  });

  it('rejects a wrong secret, a changed body, a changed timestamp or a stale one', () => {
    const header = sign('s3cret', body, 1_700_000_000);
    assert.equal(verifySignature('other', body, '1700000000', header), false);
    assert.equal(verifySignature('s3cret', `${body} `, '1700000000', header), false);
    assert.equal(verifySignature('s3cret', body, '1700000001', header), false);
    assert.equal(verifySignature('s3cret', body, '1700000000', header, { nowMs: 1_700_000_600_000, toleranceSecs: 300 }), false);
    assert.equal(verifySignature('s3cret', body, undefined, header), false);
  });

  it('matches an independently computed HMAC', async () => {
    const { createHmac } = await import('node:crypto');
    const expected = createHmac('sha256', 'k').update('5.x').digest('hex');
    assert.equal(sign('k', 'x', 5), `sha256=${expected}`);
  });
});
