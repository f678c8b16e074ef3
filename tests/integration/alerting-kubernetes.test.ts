import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kubeconfigConnection, KubernetesActuator, kubeRequest, ScaleConflictError, type KubeConnection, type ScaleState } from '../../alerting/actuators';
import { parsePolicy } from '../../alerting/autoscale';
import { PolicyController, type DecisionRecord } from '../../alerting/autoscale/controller';
import { SeriesStore } from '../../alerting/engine';
import { repoRoot, STATE_DIR } from './harness/services';

const exec = promisify(execFile);
const signal = new AbortController().signal;

/** Scales by hand (an unconditional PUT, like `kubectl scale`) between our read and write, once. */
class InterferingKubeActuator extends KubernetesActuator {
  interfered = false;

  constructor(private readonly c: KubeConnection, private readonly scalePathFor: string) {
    super(c, { namespace: 'default', kind: 'Deployment', name: scalePathFor });
  }

  override async write(replicas: number, state: ScaleState, s: AbortSignal): Promise<void> {
    if (!this.interfered) {
      this.interfered = true;
      await kubeRequest(this.c, 'PUT', `/apis/apps/v1/namespaces/default/deployments/${this.scalePathFor}/scale`, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: this.scalePathFor, namespace: 'default' }, spec: { replicas: 2 } }, s);
    }
    await super.write(replicas, state, s);
  }
}

describe('Kubernetes actuator against a real kube-apiserver (built from the Go module proxy, etcd from Debian)', function () {
  this.timeout(30 * 60_000); // the first run builds kube-apiserver
  let conn: KubeConnection;
  const name = `web-${randomBytes(3).toString('hex')}`;
  const deployments = '/apis/apps/v1/namespaces/default/deployments';

  before(async () => {
    const { stdout } = await exec('bash', [join(repoRoot(), 'tests/integration/alerting-kube-apiserver.sh'), 'up'], { timeout: 30 * 60_000 });
    assert.match(stdout, /KUBE_READY/);
    const ca = readFileSync(join(STATE_DIR, 'kube/certs/apiserver.crt')).toString('base64');
    conn = kubeconfigConnection([
      'apiVersion: v1', 'kind: Config', 'current-context: it',
      'contexts: [{ name: it, context: { cluster: local, user: tester } }]',
      `clusters: [{ name: local, cluster: { server: 'https://127.0.0.1:6443', certificate-authority-data: ${ca} } }]`,
      'users: [{ name: tester, user: { token: cargoscope-test-token } }]',
    ].join('\n'));
    await kubeRequest(conn, 'POST', deployments, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    }, signal);
  });

  after(async () => {
    await kubeRequest(conn, 'DELETE', `${deployments}/${name}`, undefined, signal).catch(() => undefined);
  });

  async function specReplicas(): Promise<number> {
    return (await kubeRequest<{ spec: { replicas: number } }>(conn, 'GET', `${deployments}/${name}`, undefined, signal)).spec.replicas;
  }

  it('reads the scale subresource over TLS with a kubeconfig and writes with its resourceVersion', async () => {
    const a = new KubernetesActuator(conn, { namespace: 'default', kind: 'Deployment', name });
    const s = await a.read(signal);
    assert.equal(s.replicas, 1);
    assert.match(s.version, /^\d+$/);
    assert.equal(s.readyReplicas, 0, 'no kubelet here, so no ready pods');
    await a.write(3, s, signal);
    assert.equal(await specReplicas(), 3);
  });

  it('gets 409 Conflict when the deployment changed after the read', async () => {
    const a = new KubernetesActuator(conn, { namespace: 'default', kind: 'Deployment', name });
    const stale = await a.read(signal);
    const fresh = await a.read(signal);
    await a.write(4, fresh, signal);
    await assert.rejects(a.write(5, stale, signal), ScaleConflictError);
    assert.equal(await specReplicas(), 4);
  });

  it('re-reads and re-decides after a hand scale during an evaluation', async () => {
    const store = new SeriesStore(60_000);
    const now = Date.now();
    store.ingest({ type: 'rollups', version: 1, source: 't', atMs: now, resolutionMs: 1000, series: [{ key: { level: 'replicaset', namespace: 'default', workload: `kubernetes/default/${name}`, replicaset: name }, metric: 'queue_depth', value: 65 }] });
    const policy = parsePolicy({
      name: 'q', target: { type: 'kubernetes', namespace: 'default', name }, workload: `kubernetes/default/${name}`, min_replicas: 1, max_replicas: 10,
      metrics: [{ type: 'total', metric: 'queue_depth', target_per_replica: 10 }],
    });
    const actuator = new InterferingKubeActuator(conn, name);
    const records: DecisionRecord[] = [];
    const ctl = new PolicyController(policy, actuator, store, { lookbackMs: 30_000, dryRun: false, maxConflictRetries: 3, onRecord: (r) => records.push(r) });
    const r = await ctl.evaluate(now, signal);
    assert.equal(r.conflicts, 1);
    assert.equal(r.previousReplicas, 2, 're-decided from the hand-set count');
    assert.equal(r.desiredReplicas, 6, 'ceil(65 / 10) = 7, limited from 2 by the up policy max(2 + 4, 2 × 2) = 6');
    assert.equal(r.applied, true);
    assert.equal(await specReplicas(), 6);
  });
});
