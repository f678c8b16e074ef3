import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Topology } from '../../core/component';
import { loadConfigText } from '../../core/config';
import { buildRegistry } from '../../cli/registry';
import { eventually } from '../helpers/eventually';
import { topologyDeps } from '../helpers/fakes';
import { PROMETHEUS_URL, requireServices } from './harness/services';

interface Notification {
  status: string;
  alerts: Array<{ status: string; labels: Record<string, string> }>;
}

/** Rules over PromQL: a real Prometheus, the prometheus_query source, the alert_rules sink, a webhook. */
describe('alerting over Prometheus (PromQL data source, real Prometheus)', function () {
  this.timeout(120_000);
  let server: Server;
  const received: Notification[] = [];

  before(async function () {
    await requireServices(this, ['prometheus']);
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as Notification);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fires a rule evaluated on PromQL results and notifies the webhook', async () => {
    const port = (server.address() as AddressInfo).port;
    const config = loadConfigText(`
sources:
  prom:
    type: prometheus_query
    endpoint: "${PROMETHEUS_URL}"
    interval_secs: 1
    queries:
      - metric: targets_up
        level: namespace
        query: 'label_replace(sum by (job) (up{job="prometheus"}), "namespace", "$1", "job", "(.*)")'
sinks:
  alerts:
    type: alert_rules
    inputs: [prom]
    evaluation_interval_secs: 1
    route: { group_by: [alertname], group_wait_secs: 1, group_interval_secs: 5, repeat_interval_secs: 3600 }
    receivers: [{ type: webhook, name: test, url: "http://127.0.0.1:${port}/" }]
    rules:
      - { alert: PrometheusIsUp, metric: targets_up, level: namespace, reducer: last, window_secs: 10, op: ">", threshold: 0.5, for_secs: 0, labels: { severity: info } }
    batch: { timeout_ms: 0 }
`, { registry: buildRegistry(), defaultListen: '127.0.0.1:0', env: {} });
    const topology = new Topology(config, topologyDeps().deps);
    await topology.start();
    try {
      const note = await eventually(60_000, () => received.find((n) => n.status === 'firing'));
      const alert = note.alerts[0];
      assert.equal(alert?.labels.alertname, 'PrometheusIsUp');
      assert.equal(alert?.labels.namespace, 'prometheus');
    } finally {
      await topology.shutdown(Date.now() + 5000);
    }
  });
});
