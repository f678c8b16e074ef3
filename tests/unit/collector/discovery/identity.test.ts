import assert from 'node:assert/strict';
import {
  buildIdentity,
  deriveWorkload,
  kubernetesNames,
  labelFilter,
} from '../../../../collector/discovery/identity';
import { DEFAULT_LABEL_ALLOWLIST } from '../../../../collector/discovery/labels';

const k8s = (pod: string, container: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'io.kubernetes.pod.name': pod,
  'io.kubernetes.pod.namespace': 'shop',
  'io.kubernetes.pod.uid': '6b1c9d3e-0000-4000-8000-000000000001',
  'io.kubernetes.container.name': container,
  ...extra,
});

describe('kubernetesNames', () => {
  it('derives replica set and deployment from a Deployment pod name', () => {
    assert.deepEqual(kubernetesNames('web-7c9d8f6b5d-x2k9p'), { replicaSet: 'web-7c9d8f6b5d', deployment: 'web' });
  });

  it('keeps dashes inside the deployment name', () => {
    assert.deepEqual(kubernetesNames('checkout-api-5f7b9c4d8-qwz2t'), {
      replicaSet: 'checkout-api-5f7b9c4d8',
      deployment: 'checkout-api',
    });
  });

  it('uses a known pod-template-hash exactly', () => {
    assert.deepEqual(kubernetesNames('web-abc-x2k9p', 'abc'), { replicaSet: 'web-abc', deployment: 'web' });
    assert.deepEqual(kubernetesNames('web-abc-x2k9p', 'zzz'), { replicaSet: 'web-abc' });
  });

  it('accepts the decimal hashes of old clusters', () => {
    assert.deepEqual(kubernetesNames('web-3941288345-x2k9p'), { replicaSet: 'web-3941288345', deployment: 'web' });
  });

  it('gives a DaemonSet pod a replica set but no deployment', () => {
    assert.deepEqual(kubernetesNames('kube-proxy-x2k9p'), { replicaSet: 'kube-proxy' });
  });

  it('treats a StatefulSet ordinal as the pod suffix', () => {
    assert.deepEqual(kubernetesNames('db-0'), { replicaSet: 'db' });
    assert.deepEqual(kubernetesNames('db-12'), { replicaSet: 'db' });
  });

  it('leaves a bare pod name alone when the suffix is not random-looking', () => {
    assert.deepEqual(kubernetesNames('debug'), { replicaSet: 'debug' });
    assert.deepEqual(kubernetesNames('my-frontend'), { replicaSet: 'my-frontend' });
  });
});

describe('deriveWorkload', () => {
  it('maps a Kubernetes app container to its pod, replica set and deployment', () => {
    const d = deriveWorkload(k8s('web-7c9d8f6b5d-x2k9p', 'nginx'), 'k8s_nginx_web-7c9d8f6b5d-x2k9p_shop_uid_0');
    assert.equal(d.isSandbox, false);
    assert.equal(d.containerName, 'nginx');
    assert.deepEqual(d.workload, {
      kind: 'kubernetes',
      namespace: 'shop',
      replicaSet: 'web-7c9d8f6b5d',
      deployment: 'web',
      pod: 'web-7c9d8f6b5d-x2k9p',
      id: 'kubernetes/shop/web-7c9d8f6b5d',
    });
  });

  it('recognises the sandbox by its POD container name', () => {
    const d = deriveWorkload(k8s('web-7c9d8f6b5d-x2k9p', 'POD'), 'k8s_POD_web');
    assert.equal(d.isSandbox, true);
    assert.equal(d.containerName, 'POD');
    assert.equal(d.workload.id, 'kubernetes/shop/web-7c9d8f6b5d');
  });

  it('recognises a cri-dockerd sandbox by its docker type label', () => {
    const labels = k8s('web-7c9d8f6b5d-x2k9p', '', { 'io.kubernetes.docker.type': 'podsandbox', 'pod-template-hash': '7c9d8f6b5d' });
    delete labels['io.kubernetes.container.name'];
    const d = deriveWorkload(labels, 'k8s_POD_web');
    assert.equal(d.isSandbox, true);
    assert.equal(d.workload.deployment, 'web');
  });

  it('maps a Swarm task to its service, under the stack namespace when there is one', () => {
    const labels = {
      'com.docker.swarm.service.name': 'shop_web',
      'com.docker.swarm.task.name': 'shop_web.2.k3j4h5g6f7d8s9a0',
      'com.docker.stack.namespace': 'shop',
      'com.docker.compose.project': 'ignored',
      'com.docker.compose.service': 'ignored',
    };
    const d = deriveWorkload(labels, 'shop_web.2.k3j4h5g6f7d8s9a0');
    assert.deepEqual(d.workload, {
      kind: 'swarm',
      namespace: 'shop',
      replicaSet: 'shop_web',
      deployment: 'shop_web',
      pod: 'shop_web.2.k3j4h5g6f7d8s9a0',
      id: 'swarm/shop/shop_web',
    });
  });

  it('puts a Swarm service without a stack in the swarm namespace', () => {
    const d = deriveWorkload({ 'com.docker.swarm.service.name': 'web' }, 'web.1.abc');
    assert.equal(d.workload.id, 'swarm/swarm/web');
    assert.equal(d.workload.pod, 'web.1.abc');
  });

  it('maps a Compose container to project and service', () => {
    const d = deriveWorkload({ 'com.docker.compose.project': 'blog', 'com.docker.compose.service': 'db' }, 'blog-db-1');
    assert.deepEqual(d.workload, {
      kind: 'compose',
      namespace: 'blog',
      replicaSet: 'db',
      deployment: 'db',
      pod: 'blog-db-1',
      id: 'compose/blog/db',
    });
  });

  it('makes any other container its own workload', () => {
    const d = deriveWorkload({ maintainer: 'x' }, 'redis');
    assert.deepEqual(d.workload, { kind: 'standalone', namespace: 'standalone', replicaSet: 'redis', pod: 'redis', id: 'standalone/standalone/redis' });
  });
});

describe('labelFilter', () => {
  it('keeps only allow-listed keys, exact or by prefix, and cuts long values', () => {
    const filter = labelFilter({ allow: ['team', 'app.kubernetes.io/*'], maxValueLength: 4 });
    assert.deepEqual(filter({ team: 'payments', 'app.kubernetes.io/name': 'web', build: '1234', 'git.sha': 'deadbeef' }), {
      'app.kubernetes.io/name': 'web',
      team: 'paym',
    });
  });
});

describe('buildIdentity', () => {
  it('strips the leading slash and freezes the result', () => {
    const filter = labelFilter({ allow: DEFAULT_LABEL_ALLOWLIST, maxValueLength: 128 });
    const id = buildIdentity(
      { node: 'n1', id: 'a'.repeat(64), name: '/blog-db-1', image: 'postgres:16', labels: { 'com.docker.compose.project': 'blog', 'com.docker.compose.service': 'db', secret: 'x' } },
      filter,
    );
    assert.equal(id.name, 'blog-db-1');
    assert.deepEqual(id.labels, { 'com.docker.compose.project': 'blog', 'com.docker.compose.service': 'db' });
    assert.ok(Object.isFrozen(id) && Object.isFrozen(id.workload));
  });
});
