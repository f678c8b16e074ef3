import type { DockerApi } from '../../discovery/docker-api';
import type { SourceContext } from '../../../core/component/types';
import type { ContainerMetrics } from '../../../core/event';
import { forEachLimited, statusOf } from '../../discovery/docker-discovery';
import { AutoDiscovery, dockerClients, type DiscoveryHandle } from '../../discovery/open';
import type { DiscoveredContainer } from '../../discovery/types';
import { DeviceNames } from '../../scrape/devices';
import { MetricsSource, type ScrapeResult } from '../../scrape/metrics-source';
import type { DockerStatsSourceConfig } from './config';
import { mapDockerStats } from './map';
import type { CpuReading } from './math';
import { isDockerStatsJson, type DockerStatsJson } from './stats-json';

interface PreviousCpu {
  readonly startedAtMs: number;
  readonly reading: CpuReading;
}

type StatsOutcome = DockerStatsJson | 'gone' | 'failed';

/**
 * Docker's stats API, one one-shot call per container with bounded concurrency. One-shot skips
 * the daemon's 1 s second sample, so CPU % is computed against our own previous scrape — over the
 * collection interval, which is the window the figure should describe anyway.
 */
export class DockerStatsSource extends MetricsSource {
  private discovery: DiscoveryHandle | undefined;
  private docker: DockerApi | undefined;
  private readonly previous = new Map<string, PreviousCpu>();
  private readonly devices = new DeviceNames();

  constructor(
    private readonly config: DockerStatsSourceConfig,
    deps: { discovery?: DiscoveryHandle; docker?: DockerApi } = {},
  ) {
    super({ intervalMs: config.interval_secs * 1000, jitterRatio: config.jitter_ratio });
    this.discovery = deps.discovery;
    this.docker = deps.docker;
  }

  protected async open(ctx: SourceContext): Promise<void> {
    await this.devices.load();
    this.docker ??= dockerClients(this.config.discovery).requests;
    if (!this.discovery) {
      // The stats API needs Docker; `auto` still starts (and retries) when dockerd is down now.
      const auto = new AutoDiscovery({ ...this.config.discovery, mode: this.config.discovery.mode === 'cgroup' ? 'auto' : this.config.discovery.mode }, {
        node: ctx.node, logger: ctx.logger, episodes: this.episodes,
      });
      await auto.start();
      this.discovery = auto;
    }
  }

  protected close(): Promise<void> {
    this.discovery?.close();
    this.previous.clear();
    return Promise.resolve();
  }

  protected async collect(signal: AbortSignal): Promise<ScrapeResult | undefined> {
    const discovery = this.discovery;
    if (!discovery || discovery.mode !== 'docker') {
      this.episodes.fail('docker', 'docker_unavailable', new Error('no Docker daemon: docker_stats has nothing to read'));
      return undefined;
    }
    this.episodes.ok('docker');
    const list = discovery.list();
    const out = new Array<ContainerMetrics | undefined>(list.length);
    await forEachLimited(list.map((_, i) => i), this.config.concurrency, async (i) => {
      if (!signal.aborted) out[i] = await this.readContainer(list[i] as DiscoveredContainer, signal);
    });
    const live = new Set(list.map((c) => c.identity.id));
    for (const id of [...this.previous.keys()]) if (!live.has(id)) this.previous.delete(id);
    return { containers: out.filter((c): c is ContainerMetrics => c !== undefined) };
  }

  private async readContainer(c: DiscoveredContainer, signal: AbortSignal): Promise<ContainerMetrics | undefined> {
    const id = c.identity.id;
    const stats = await this.fetchStats(id, signal);
    if (stats === 'gone') {
      this.previous.delete(id);
      return undefined;
    }
    if (stats === 'failed') return undefined;
    const prev = this.previous.get(id);
    // A restart resets the counters: the previous reading belongs to another run.
    const mapped = mapDockerStats(stats, c, prev && prev.startedAtMs === c.startedAtMs ? prev.reading : undefined, this.devices.name);
    if (mapped.cpu) this.previous.set(id, { startedAtMs: c.startedAtMs, reading: mapped.cpu });
    return { container: c.identity, startedAtMs: c.startedAtMs, samples: mapped.samples };
  }

  private async fetchStats(id: string, signal: AbortSignal): Promise<StatsOutcome> {
    const docker = this.docker;
    if (!docker) return 'failed';
    try {
      const options = {
        stream: false as const,
        'one-shot': true,
        abortSignal: AbortSignal.any([signal, AbortSignal.timeout(this.config.timeout_ms)]),
      };
      const body: unknown = await docker.getContainer(id).stats(options);
      if (!isDockerStatsJson(body)) {
        this.episodes.fail(`stats:${id}`, 'docker_stats_bad_response', new Error('stats body is not a stats object'));
        return 'failed';
      }
      // A container that stopped after discovery answers with zero-time, empty stats.
      if (!body.read || body.read.startsWith('0001-')) return 'gone';
      this.episodes.ok(`stats:${id}`);
      return body;
    } catch (err) {
      if (statusOf(err) === 404 || statusOf(err) === 409) return 'gone';
      if (signal.aborted) return 'failed';
      const reason = isTimeout(err) ? 'docker_stats_timeout' : 'docker_stats_failed';
      this.episodes.fail(`stats:${id}`, reason, err);
      return 'failed';
    }
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}
