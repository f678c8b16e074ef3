import assert from 'node:assert/strict';
import { PermanentError, RetryableError } from '../../../core/delivery';
import { classifySwarmError, kubeconfigConnection, KubernetesActuator, ScaleConflictError } from '../../../alerting/actuators';
import { KubeFixture } from './kube-fixture';

describe('Kubernetes actuator (scale subresource, against a conformance fixture)', () => {
  const fixture = new KubeFixture();
  let server = '';
  const signal = new AbortController().signal;

  before(async () => {
    server = await fixture.start();
  });
  after(() => fixture.stop());
  beforeEach(() => {
    fixture.workloads.set('shop/web', { replicas: 3, resourceVersion: 100, readyPods: ['web-1', 'web-2'], notReadyPods: ['web-3'] });
  });

  function actuator(token = fixture.token): KubernetesActuator {
    return new KubernetesActuator({ server, token }, { namespace: 'shop', kind: 'Deployment', name: 'web' });
  }

  it('reads replicas, resourceVersion and the ready pods behind the selector', async () => {
    const s = await actuator().read(signal);
    assert.equal(s.replicas, 3);
    assert.equal(s.version, '100');
    assert.equal(s.readyReplicas, 2);
    assert.deepEqual([...(s.readyPods ?? [])], ['web-1', 'web-2']);
    assert.ok(fixture.requests.includes('GET /api/v1/namespaces/shop/pods?labelSelector=app%3Dweb'));
  });

  it('writes with the resourceVersion it read', async () => {
    const a = actuator();
    const s = await a.read(signal);
    await a.write(5, s, signal);
    assert.equal(fixture.workloads.get('shop/web')?.replicas, 5);
  });

  it('turns a 409 after a concurrent change into a ScaleConflictError', async () => {
    const a = actuator();
    const s = await a.read(signal);
    fixture.scaleByHand('shop', 'web', 4);
    await assert.rejects(a.write(5, s, signal), ScaleConflictError);
    assert.equal(fixture.workloads.get('shop/web')?.replicas, 4);
  });

  it('classifies 401 as permanent and a missing workload as permanent', async () => {
    await assert.rejects(actuator('wrong').read(signal), PermanentError);
    const missing = new KubernetesActuator({ server, token: fixture.token }, { namespace: 'shop', kind: 'Deployment', name: 'nope' });
    await assert.rejects(missing.read(signal), /404/);
  });

  it('classifies an unreachable apiserver as retryable', async () => {
    const gone = new KubernetesActuator({ server: 'http://127.0.0.1:1', token: 't' }, { namespace: 'shop', kind: 'Deployment', name: 'web' });
    await assert.rejects(gone.read(signal), RetryableError);
  });
});

describe('kubeconfig', () => {
  it('takes the current context: server, token, CA data and insecure flag', () => {
    const conn = kubeconfigConnection([
      'apiVersion: v1', 'current-context: dev',
      'contexts: [{ name: dev, context: { cluster: c1, user: u1 } }, { name: other, context: { cluster: c2, user: u1 } }]',
      `clusters: [{ name: c1, cluster: { server: 'https://10.0.0.1:6443', certificate-authority-data: ${Buffer.from('CA').toString('base64')} } }, { name: c2, cluster: { server: 'https://b', insecure-skip-tls-verify: true } }]`,
      'users: [{ name: u1, user: { token: abc } }]',
    ].join('\n'));
    assert.equal(conn.server, 'https://10.0.0.1:6443');
    assert.equal(conn.token, 'abc');
    assert.equal(conn.ca?.toString(), 'CA');
  });

  it('names a missing context', () => {
    assert.throws(() => kubeconfigConnection('current-context: x\ncontexts: []\n'), /no context 'x'/);
  });
});

describe('Docker Swarm error classification', () => {
  it('maps "update out of sequence" to a conflict, 5xx to retryable, 404 to permanent', () => {
    const seq = { statusCode: 500, json: { message: 'rpc error: code = Unknown desc = update out of sequence' } };
    assert.ok(classifySwarmError(seq, 'update') instanceof ScaleConflictError);
    assert.ok(classifySwarmError({ statusCode: 503, message: 'busy' }, 'x') instanceof RetryableError);
    assert.ok(classifySwarmError({ statusCode: 404, message: 'no such service' }, 'x') instanceof PermanentError);
    assert.ok(classifySwarmError({ code: 'ECONNREFUSED', message: 'connect' }, 'x') instanceof RetryableError);
  });
});
