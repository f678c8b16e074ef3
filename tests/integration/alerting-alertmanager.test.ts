import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AlertRulesSink, alertRulesSchema } from '../../alerting';
import { labelsFingerprint } from '../../alerting/engine';
import type { RollupKey } from '../../core/event';
import { eventually } from '../helpers/eventually';
import { componentContext, freePort, rollupEnvelope, WebhookSink } from './alerting-helpers';
import { ALERTMANAGER_URL, requireServices } from './harness/services';

const SECRET = 'integration-secret';
/** The acceptance asks for 60 s; CARGOSCOPE_ALERTING_DOWN_SECS shortens it for quick local runs. */
const DOWN_SECS = Number(process.env['CARGOSCOPE_ALERTING_DOWN_SECS'] ?? 60);

interface AmAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
}

async function amAlerts(alertname: string): Promise<AmAlert[]> {
  const res = await fetch(`${ALERTMANAGER_URL}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${alertname}"`)}`);
  return (await res.json()) as AmAlert[];
}

/** Drives a sink like the roll-up stream would: one sample of `value()` every 500 ms. */
function feeder(sink: AlertRulesSink, key: RollupKey, value: () => number): () => void {
  const timer = setInterval(() => {
    const batch = { type: 'rollups' as const, version: 1 as const, source: 'test', atMs: Date.now(), resolutionMs: 500, series: [{ key, metric: 'cpu_usage_limit_ratio', value: value() }] };
    void sink.send([rollupEnvelope(batch)]);
  }, 500);
  return () => clearInterval(timer);
}

function rulesSink(alertname: string, webhookPort: number): AlertRulesSink {
  const config = alertRulesSchema.parse({
    rules: [{
      alert: alertname, metric: 'cpu_usage_limit_ratio', level: 'replicaset', reducer: 'avg', window_secs: 2, threshold: 0.8, clear_threshold: 0.5,
      labels: { severity: 'page' }, annotations: { summary: '{{ $labels.replicaset }} CPU at {{ $value | humanizePercentage }}' },
    }],
    evaluation_interval_secs: 1,
    route: { group_wait_secs: 1, group_interval_secs: 5, repeat_interval_secs: 3600, retry: { initial_backoff_ms: 500, max_backoff_ms: 2000 } },
    receivers: [{ type: 'webhook', name: 'hook', url: `http://127.0.0.1:${webhookPort}/hook`, secret: SECRET }],
    alertmanagers: [{ url: ALERTMANAGER_URL }],
    resend_delay_secs: 1,
  });
  return new AlertRulesSink(config);
}

describe('alerting against a real Alertmanager and webhook receiver', function () {
  this.timeout(DOWN_SECS * 1000 + 120_000);
  const key: RollupKey = { level: 'replicaset', namespace: 'shop', workload: 'kubernetes/shop/web', replicaset: 'web' };

  before(async function () {
    await requireServices(this, ['alertmanager']);
  });

  it('shows the firing alert in Alertmanager and later its resolution; the webhook gets both, signed', async () => {
    const alertname = `CargoscopeIt_${randomBytes(4).toString('hex')}`;
    const hook = new WebhookSink(SECRET);
    const sink = rulesSink(alertname, await hook.listen());
    let value = 0.95;
    const stop = feeder(sink, key, () => value);
    await sink.start(componentContext('rules', 'alert_rules'));
    try {
      const firing = await eventually(20_000, async () => (await amAlerts(alertname)).find((a) => a.status.state === 'active'));
      assert.equal(firing.labels['severity'], 'page');
      assert.match(firing.annotations['summary'] ?? '', /^web CPU at \d+(\.\d+)?%$/);
      assert.equal(firing.fingerprint, labelsFingerprint(firing.labels), 'our fingerprint is Alertmanager\'s');
      const hookFiring = await eventually(20_000, () => hook.received.find((r) => r.payload.status === 'firing'));
      assert.equal(hookFiring.signatureValid, true);
      assert.equal(hookFiring.payload.version, '4');
      assert.equal(hookFiring.payload.alerts[0]?.fingerprint, firing.fingerprint);

      value = 0.1;
      await eventually(30_000, async () => ((await amAlerts(alertname)).length === 0 ? true : undefined));
      const resolved = await eventually(30_000, () => hook.received.find((r) => r.payload.status === 'resolved'));
      assert.equal(resolved.signatureValid, true);
      assert.equal(resolved.payload.alerts[0]?.status, 'resolved');
      assert.notEqual(resolved.payload.alerts[0]?.endsAt, '0001-01-01T00:00:00Z');
    } finally {
      stop();
      await sink.shutdown(Date.now() + 5000);
      await hook.close();
    }
  });

  it(`delivers to a webhook receiver that was down for ${DOWN_SECS} s once it is back`, async () => {
    const alertname = `CargoscopeDown_${randomBytes(4).toString('hex')}`;
    const port = await freePort();
    const sink = rulesSink(alertname, port);
    const stop = feeder(sink, key, () => 0.95);
    await sink.start(componentContext('rules', 'alert_rules'));
    const hook = new WebhookSink(SECRET);
    try {
      await eventually(20_000, async () => (await amAlerts(alertname)).find((a) => a.status.state === 'active'));
      const downSince = Date.now();
      await new Promise((r) => setTimeout(r, DOWN_SECS * 1000));
      await hook.listen(port);
      const back = Date.now();
      const got = await eventually(30_000, () => hook.received.find((r) => r.payload.alerts.some((a) => a.labels['alertname'] === alertname)));
      assert.equal(got.signatureValid, true);
      assert.ok(got.atMs >= back, 'delivered after the receiver came back');
      assert.ok(back - downSince >= DOWN_SECS * 1000);
    } finally {
      stop();
      await sink.shutdown(Date.now() + 5000);
      await hook.close();
    }
  });
});
