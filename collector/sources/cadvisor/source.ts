import type { SourceContext } from '../../../core/component/types';
import type { ContainerMetrics } from '../../../core/event';
import { labelFilter } from '../../discovery/identity';
import type { DiscoveredContainer } from '../../discovery/types';
import { DeviceNames } from '../../scrape/devices';
import { MetricsSource, type ScrapeResult } from '../../scrape/metrics-source';
import { isCadvisorDockerResponse, type CadvisorContainerInfo, type CadvisorDockerResponse } from './api-types';
import type { CadvisorSourceConfig } from './config';
import { containerFromCadvisor, latestStats, mapCadvisorStats, parseGoTime } from './map';

/** A failure of the whole request, with the bounded reason it is counted under. */
export class CadvisorError extends Error {
  constructor(
    readonly reason: 'cadvisor_unreachable' | 'cadvisor_timeout' | 'cadvisor_http_error' | 'cadvisor_bad_response',
    message: string,
  ) {
    super(message);
    this.name = 'CadvisorError';
  }
}

/**
 * Scrapes a running cAdvisor's REST API (v1.3 `docker/`, newest sample only) and maps it into the
 * same samples as the other sources. Identity comes from cAdvisor's own copy of the Docker name,
 * image and labels, so this source needs no Docker socket; it is computed once per container run.
 */
export class CadvisorSource extends MetricsSource {
  private readonly known = new Map<string, { readonly creation: string; readonly container: DiscoveredContainer }>();
  private readonly filter: ReturnType<typeof labelFilter>;
  private readonly url: string;
  private readonly devices = new DeviceNames();

  constructor(private readonly config: CadvisorSourceConfig) {
    super({ intervalMs: config.interval_secs * 1000, jitterRatio: config.jitter_ratio });
    this.filter = labelFilter({ allow: config.labels.allow, maxValueLength: config.labels.max_value_length });
    this.url = `${config.endpoint.replace(/\/+$/, '')}/api/v1.3/docker/`;
  }

  /** The collector runs on cAdvisor's node, so its /proc/partitions names the same disks. */
  protected open(_ctx: SourceContext): Promise<void> {
    return this.devices.load();
  }

  protected close(): Promise<void> {
    this.known.clear();
    return Promise.resolve();
  }

  protected override classify(err: unknown): string {
    return err instanceof CadvisorError ? err.reason : 'scrape_failed';
  }

  protected async collect(signal: AbortSignal, nowMs: number): Promise<ScrapeResult | undefined> {
    const response = await this.fetchDocker(signal);
    this.episodes.ok('scrape');
    const containers: ContainerMetrics[] = [];
    const seen = new Set<string>();
    const maxAgeMs = this.config.max_stats_age_secs * 1000;
    for (const info of Object.values(response)) {
      const stats = latestStats(info);
      if (!stats) continue;
      // A stale newest sample means cAdvisor has not yet noticed the container is gone.
      const at = parseGoTime(stats.timestamp);
      if (at > 0 && nowMs - at > maxAgeMs) continue;
      const container = this.containerOf(info);
      seen.add(info.name);
      containers.push({ container: container.identity, startedAtMs: container.startedAtMs, samples: mapCadvisorStats(stats, container, this.devices.name) });
    }
    for (const name of [...this.known.keys()]) if (!seen.has(name)) this.known.delete(name);
    return { containers };
  }

  /** Cached by cgroup name and creation time: a restart creates a new cgroup, hence a new run. */
  private containerOf(info: CadvisorContainerInfo): DiscoveredContainer {
    const creation = info.spec?.creation_time ?? '';
    const cached = this.known.get(info.name);
    if (cached && cached.creation === creation) return cached.container;
    const container = containerFromCadvisor(info, this.ctx.node, this.filter);
    this.known.set(info.name, { creation, container });
    return container;
  }

  private async fetchDocker(signal: AbortSignal): Promise<CadvisorDockerResponse> {
    const timeout = AbortSignal.timeout(this.config.timeout_ms);
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST', // cAdvisor reads the request body on any method; fetch allows one only here
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ num_stats: 1 }),
        signal: AbortSignal.any([signal, timeout]),
      });
    } catch (err) {
      if (timeout.aborted) throw new CadvisorError('cadvisor_timeout', `no answer within ${this.config.timeout_ms} ms`);
      throw new CadvisorError('cadvisor_unreachable', describeFetchError(err));
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new CadvisorError('cadvisor_http_error', `HTTP ${res.status} from ${this.url}`);
    }
    const text = await this.readCapped(res, timeout);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new CadvisorError('cadvisor_bad_response', `not JSON: ${JSON.stringify(text.slice(0, 80))}`);
    }
    if (!isCadvisorDockerResponse(body)) throw new CadvisorError('cadvisor_bad_response', 'not a map of container infos');
    return body;
  }

  private async readCapped(res: Response, timeout: AbortSignal): Promise<string> {
    const body = res.body as ReadableStream<Uint8Array> | null;
    const reader = body?.getReader();
    if (!reader) return '';
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > this.config.max_response_bytes) {
          await reader.cancel();
          throw new CadvisorError('cadvisor_bad_response', `response larger than ${this.config.max_response_bytes} bytes`);
        }
        chunks.push(value);
      }
    } catch (err) {
      if (err instanceof CadvisorError) throw err;
      if (timeout.aborted) throw new CadvisorError('cadvisor_timeout', `body not complete within ${this.config.timeout_ms} ms`);
      throw new CadvisorError('cadvisor_unreachable', err instanceof Error ? err.message : String(err));
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}

/** undici hides the socket error (ECONNREFUSED…) in `cause`; that is the useful part. */
function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : '';
  return cause ? `${err.message}: ${cause}` : err.message;
}
