import http from 'node:http';
import type { Readable } from 'node:stream';

/**
 * The few Docker Engine API calls the collector makes, over the unix socket with node:http.
 * Why not dockerode: it loads an SSH client, gRPC and protobuf (for BuildKit sessions) at import,
 * ~90 ms of every collector start for features a node agent never uses. The shape of the calls
 * follows dockerode's (`getContainer(id).inspect()`), and so do failures: an HTTP status ≥ 400
 * rejects with an error carrying `statusCode`.
 */
export interface DockerContainerApi {
  inspect(): Promise<unknown>;
  /** `GET /containers/{id}/stats`, one reading. */
  stats(options: { readonly stream: false; readonly 'one-shot'?: boolean; readonly abortSignal?: AbortSignal }): Promise<unknown>;
  /** `GET /containers/{id}/logs` as the raw (multiplexed, or TTY) stream. */
  logs(options: { readonly follow: true; readonly stdout: boolean; readonly stderr: boolean; readonly timestamps: boolean; readonly since?: string }): Promise<Readable>;
}

export interface DockerApi {
  ping(): Promise<unknown>;
  listContainers(options?: { readonly all?: boolean }): Promise<ReadonlyArray<{ readonly Id: string }>>;
  /** `GET /events` as a stream of JSON lines; `filters` is the JSON the API expects. */
  getEvents(options: { readonly filters: string }): Promise<Readable>;
  getContainer(id: string): DockerContainerApi;
}

export class DockerApiError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = 'DockerApiError';
  }
}

type Query = Readonly<Record<string, string | boolean | undefined>>;

export class DockerEngineClient implements DockerApi {
  constructor(
    private readonly socketPath: string,
    /** Per request, for the calls that answer (never for streams, which stay open). */
    private readonly timeoutMs?: number,
  ) {}

  ping(): Promise<unknown> {
    return this.json('/_ping');
  }

  async listContainers(options: { readonly all?: boolean } = {}): Promise<ReadonlyArray<{ readonly Id: string }>> {
    const body = await this.json('/containers/json', { all: options.all ?? false });
    if (!Array.isArray(body)) throw new Error('GET /containers/json did not answer a list');
    return body as Array<{ Id: string }>;
  }

  getEvents(options: { readonly filters: string }): Promise<Readable> {
    return this.stream('/events', { filters: options.filters });
  }

  getContainer(id: string): DockerContainerApi {
    const base = `/containers/${encodeURIComponent(id)}`;
    return {
      inspect: () => this.json(`${base}/json`),
      stats: (o) => this.json(`${base}/stats`, { stream: false, 'one-shot': o['one-shot'] }, o.abortSignal),
      logs: (o) => this.stream(`${base}/logs`, { follow: o.follow, stdout: o.stdout, stderr: o.stderr, timestamps: o.timestamps, since: o.since }),
    };
  }

  /** A request whose whole answer is read: JSON, or the text when it is not JSON (`/_ping` answers `OK`). */
  private async json(path: string, query: Query = {}, signal?: AbortSignal): Promise<unknown> {
    const signals = [signal, this.timeoutMs === undefined ? undefined : AbortSignal.timeout(this.timeoutMs)].filter((s): s is AbortSignal => s !== undefined);
    const res = await this.request(path, query, signals.length > 0 ? AbortSignal.any(signals) : undefined);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }

  private stream(path: string, query: Query): Promise<Readable> {
    return this.request(path, query, undefined);
  }

  /** Resolves with the response once its status is known; a status ≥ 400 rejects with the API's message. */
  private request(path: string, query: Query, signal: AbortSignal | undefined): Promise<http.IncomingMessage> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath: this.socketPath, path: qs ? `${path}?${qs}` : path, method: 'GET', ...(signal ? { signal } : {}) }, (res) => {
        const status = res.statusCode ?? 0;
        if (status < 400) return resolve(res);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let message = text.trim();
          try {
            const said = (JSON.parse(text) as { message?: unknown }).message;
            if (typeof said === 'string') message = said;
          } catch {
            // not JSON: the text is the message
          }
          reject(new DockerApiError(`(HTTP code ${status}) ${message} (GET ${path})`, status));
        });
      });
      req.on('error', reject);
      req.end();
    });
  }
}
