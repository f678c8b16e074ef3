import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A conformance fixture of the apiserver surface the Kubernetes actuator uses, written from the
 * API's documented behaviour: the `scale` subresource of apps/v1 workloads (GET; PUT that honours
 * metadata.resourceVersion with 409 Conflict, or updates unconditionally without one), pods listed
 * by label selector, bearer-token authentication, Status objects for errors.
 */
export interface FixtureWorkload {
  replicas: number;
  resourceVersion: number;
  readyPods: string[];
  notReadyPods: string[];
}

export class KubeFixture {
  readonly workloads = new Map<string, FixtureWorkload>();
  readonly requests: string[] = [];
  private server: Server | undefined;

  constructor(readonly token = 'fixture-token') {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** What `kubectl scale` does behind our back: bumps the version. */
  scaleByHand(ns: string, name: string, replicas: number): void {
    const w = this.workloads.get(`${ns}/${name}`);
    if (!w) throw new Error('no such workload');
    w.replicas = replicas;
    w.resourceVersion += 1;
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.headers.authorization !== `Bearer ${this.token}`) return this.status(res, 401, 'Unauthorized', 'Unauthorized');
    const scale = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|replicasets|statefulsets)\/([^/]+)\/scale$/.exec(url.pathname);
    const pods = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
    if (scale) return this.scale(req, res, scale[1] ?? '', scale[2] ?? '', scale[3] ?? '', Buffer.concat(chunks).toString('utf8'));
    if (pods && req.method === 'GET') return this.pods(res, pods[1] ?? '', url.searchParams.get('labelSelector') ?? '');
    return this.status(res, 404, 'NotFound', 'the server could not find the requested resource');
  }

  private scaleBody(ns: string, name: string, w: FixtureWorkload): string {
    return JSON.stringify({
      kind: 'Scale', apiVersion: 'autoscaling/v1',
      metadata: { name, namespace: ns, resourceVersion: String(w.resourceVersion), uid: `uid-${name}` },
      spec: { replicas: w.replicas }, status: { replicas: w.readyPods.length + w.notReadyPods.length, selector: `app=${name}` },
    });
  }

  private scale(req: IncomingMessage, res: ServerResponse, ns: string, resource: string, name: string, body: string): void {
    const w = this.workloads.get(`${ns}/${name}`);
    if (!w) return this.status(res, 404, 'NotFound', `${resource}.apps "${name}" not found`);
    if (req.method === 'PUT') {
      const put = JSON.parse(body) as { metadata?: { resourceVersion?: string }; spec?: { replicas?: number } };
      const rv = put.metadata?.resourceVersion;
      if (rv !== undefined && rv !== String(w.resourceVersion)) {
        return this.status(res, 409, 'Conflict', `Operation cannot be fulfilled on ${resource}.apps "${name}": the object has been modified; please apply your changes to the latest version and try again`);
      }
      if (typeof put.spec?.replicas !== 'number' || put.spec.replicas < 0) return this.status(res, 422, 'Invalid', 'spec.replicas: Invalid value');
      w.replicas = put.spec.replicas;
      w.resourceVersion += 1;
    } else if (req.method !== 'GET') {
      return this.status(res, 405, 'MethodNotAllowed', 'method not allowed');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(this.scaleBody(ns, name, w));
  }

  private pods(res: ServerResponse, ns: string, selector: string): void {
    const name = /^app=(.+)$/.exec(selector)?.[1] ?? '';
    const w = this.workloads.get(`${ns}/${name}`);
    const pod = (n: string, ready: boolean): unknown => ({
      metadata: { name: n, namespace: ns, labels: { app: name } },
      status: { phase: ready ? 'Running' : 'Pending', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    });
    const items = w ? [...w.readyPods.map((p) => pod(p, true)), ...w.notReadyPods.map((p) => pod(p, false))] : [];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items }));
  }
}
