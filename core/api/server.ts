import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Exposition, MetricsTextProvider } from '../component/types';

export interface ApiServerOptions {
  readonly listen: string;
  /** cargoscope's own metrics. */
  readonly registry: Registry;
  /** Ready when the pipeline is running (not while starting or shutting down). */
  readonly isReady: () => boolean;
}

/** `host:port` → parts; `[::1]:9780` keeps its brackets off. */
export function parseListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at).replace(/^\[(.*)\]$/, '$1') || '0.0.0.0';
  return { host, port: Number(listen.slice(at + 1)) };
}

/**
 * The process's HTTP surface: `/metrics` (self-metrics plus whatever sinks expose, in one
 * Prometheus text page), `/healthz` (the process is alive) and `/readyz` (the pipeline runs).
 */
export class ApiServer implements Exposition {
  private readonly providers: MetricsTextProvider[] = [];
  private server: Server | undefined;

  constructor(private readonly options: ApiServerOptions) {}

  addMetrics(provider: MetricsTextProvider): void {
    this.providers.push(provider);
  }

  /** The address actually bound (port 0 picks a free one, for tests). */
  get address(): { host: string; port: number } | undefined {
    const addr = this.server?.address();
    return addr && typeof addr === 'object' ? { host: addr.address, port: addr.port } : undefined;
  }

  async start(): Promise<void> {
    const { host, port } = parseListen(this.options.listen);
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Renders `/metrics`: the self registry, then every provider in registration order. */
  async metricsText(): Promise<string> {
    const parts = [await this.options.registry.metrics()];
    for (const provider of this.providers) parts.push(await provider());
    return parts.filter((p) => p.length > 0).join('\n');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'method not allowed\n');
      switch (path) {
        case '/metrics':
          return reply(res, 200, await this.metricsText(), this.options.registry.contentType);
        case '/healthz':
          return reply(res, 200, 'ok\n');
        case '/readyz':
          return this.options.isReady() ? reply(res, 200, 'ready\n') : reply(res, 503, 'not ready\n');
        default:
          return reply(res, 404, 'not found: try /metrics, /healthz or /readyz\n');
      }
    } catch (err) {
      reply(res, 500, `error: ${(err as Error).message}\n`);
    }
  }
}

function reply(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
