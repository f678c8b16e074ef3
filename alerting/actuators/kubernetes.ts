import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { errorForHttpStatus, RetryableError } from '../../core/delivery';
import type { KubeConnection } from './kube-config';
import { ScaleConflictError, type Actuator, type ScaleState } from './types';

export interface KubeTarget {
  readonly namespace: string;
  readonly kind: 'Deployment' | 'ReplicaSet' | 'StatefulSet';
  readonly name: string;
}

const RESOURCE: Record<KubeTarget['kind'], string> = { Deployment: 'deployments', ReplicaSet: 'replicasets', StatefulSet: 'statefulsets' };

interface Scale {
  metadata: { name: string; namespace: string; resourceVersion: string };
  spec: { replicas?: number };
  status: { replicas?: number; selector?: string };
}

interface PodList {
  items: Array<{ metadata: { name: string; deletionTimestamp?: string }; status?: { phase?: string; conditions?: Array<{ type: string; status: string }> } }>;
}

/** A pod counts as ready as the HPA sees it: Running, Ready=True, not being deleted. */
function isReady(p: PodList['items'][number]): boolean {
  return !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** JSON over HTTP(S) to the apiserver; a 409 is a conflict, other statuses classified once here. */
export function kubeRequest<T>(conn: KubeConnection, method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body: unknown, signal: AbortSignal): Promise<T> {
  const url = new URL(path, conn.server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const options: RequestOptions = {
    method, signal,
    headers: {
      accept: 'application/json',
      ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
      ...(conn.token ? { authorization: `Bearer ${conn.token}` } : {}),
    },
    ...(conn.ca ? { ca: conn.ca } : {}), ...(conn.cert ? { cert: conn.cert } : {}), ...(conn.key ? { key: conn.key } : {}),
    ...(conn.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<T>((resolve, reject) => {
    const req = send(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => reject(new RetryableError(`${method} ${path}: ${err.message}`, undefined, { cause: err })));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status === 409) return reject(new ScaleConflictError(`${method} ${path}: 409 ${text.slice(0, 300)}`));
        const err = errorForHttpStatus(status, text, res.headers['retry-after']);
        if (err) return reject(err);
        try {
          resolve(JSON.parse(text) as T);
        } catch (e) {
          reject(new RetryableError(`${method} ${path}: unparseable response`, undefined, { cause: e }));
        }
      });
    });
    req.on('error', (err) => reject(new RetryableError(`${method} ${path}: ${err.message}`, undefined, { cause: err })));
    req.end(payload);
  });
}

/**
 * Kubernetes workloads through the scale subresource: GET …/scale (replicas, resourceVersion and
 * the pod selector), the pods behind the selector for readiness, then PUT …/scale carrying the
 * resourceVersion we read, so a concurrent change answers 409 instead of being overwritten.
 */
export class KubernetesActuator implements Actuator {
  readonly kind = 'kubernetes';
  private readonly scalePath: string;

  constructor(private readonly conn: KubeConnection, private readonly target: KubeTarget) {
    const group = 'apis/apps/v1';
    this.scalePath = `/${group}/namespaces/${encodeURIComponent(target.namespace)}/${RESOURCE[target.kind]}/${encodeURIComponent(target.name)}/scale`;
  }

  async read(signal: AbortSignal): Promise<ScaleState> {
    const scale = await kubeRequest<Scale>(this.conn, 'GET', this.scalePath, undefined, signal);
    let readyPods: Set<string> | undefined;
    if (scale.status.selector) {
      const q = new URLSearchParams({ labelSelector: scale.status.selector });
      const pods = await kubeRequest<PodList>(this.conn, 'GET', `/api/v1/namespaces/${encodeURIComponent(this.target.namespace)}/pods?${q.toString()}`, undefined, signal);
      readyPods = new Set(pods.items.filter(isReady).map((p) => p.metadata.name));
    }
    return {
      replicas: scale.spec.replicas ?? 0,
      readyReplicas: readyPods?.size ?? scale.status.replicas ?? 0,
      version: scale.metadata.resourceVersion,
      ...(readyPods ? { readyPods } : {}),
    };
  }

  async write(replicas: number, state: ScaleState, signal: AbortSignal): Promise<void> {
    const body = {
      apiVersion: 'autoscaling/v1', kind: 'Scale',
      metadata: { name: this.target.name, namespace: this.target.namespace, resourceVersion: state.version },
      spec: { replicas },
    };
    await kubeRequest<Scale>(this.conn, 'PUT', this.scalePath, body, signal);
  }
}
