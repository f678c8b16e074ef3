import { existsSync } from 'node:fs';
import { DockerEngineClient, type DockerApi } from './docker-api';
import type { Logger } from 'pino';
import type { ErrorEpisodes } from '../scrape/episodes';
import { CgroupWalkDiscovery } from './cgroup-walk';
import type { DiscoveryConfig } from './config';
import { DockerDiscovery } from './docker-discovery';
import { labelFilter } from './identity';
import type { ContainerView, DiscoveredContainer } from './types';

export interface DiscoveryHandle extends ContainerView {
  /** `docker` or `cgroup`: which mechanism answers right now. */
  readonly mode: 'docker' | 'cgroup';
  /** Called at the start of every scrape; only the cgroup walk does work here. */
  refresh(): Promise<void>;
  close(): void;
}

export interface DiscoveryDeps {
  readonly node: string;
  readonly logger: Logger;
  readonly episodes: ErrorEpisodes;
}

/** One client per purpose: a request timeout would also cut the long-lived events and log streams. */
export function dockerClients(cfg: DiscoveryConfig): { requests: DockerApi; events: DockerApi } {
  return {
    requests: new DockerEngineClient(cfg.docker_socket, cfg.docker_timeout_ms),
    events: new DockerEngineClient(cfg.docker_socket),
  };
}

/** The v1 hierarchy to walk: memory's (every container runtime puts containers there). */
export function walkRoot(cgroupRoot: string): string {
  return existsSync(`${cgroupRoot}/memory`) ? `${cgroupRoot}/memory` : cgroupRoot;
}

/**
 * Docker (list + events) when its socket answers, else a cgroup walk. In `auto` mode a walk keeps
 * retrying Docker in the background and switches over when it answers.
 */
export class AutoDiscovery implements DiscoveryHandle {
  private docker: DockerDiscovery | undefined;
  private readonly walker: CgroupWalkDiscovery;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly filter: ReturnType<typeof labelFilter>;

  constructor(
    private readonly cfg: DiscoveryConfig,
    private readonly deps: DiscoveryDeps,
  ) {
    this.filter = labelFilter({ allow: cfg.labels.allow, maxValueLength: cfg.labels.max_value_length });
    this.walker = new CgroupWalkDiscovery({ node: deps.node, filter: this.filter, root: walkRoot(cfg.cgroup_root) });
  }

  get mode(): 'docker' | 'cgroup' {
    return this.docker ? 'docker' : 'cgroup';
  }

  /** Throws only in `docker` mode when dockerd does not answer: that is a config error. */
  async start(): Promise<void> {
    if (this.cfg.mode === 'cgroup') return this.walker.refresh();
    if (await this.tryDocker()) return;
    if (this.cfg.mode === 'docker') throw new Error(`no Docker daemon answers on ${this.cfg.docker_socket}`);
    this.deps.logger.info({ socket: this.cfg.docker_socket }, 'Docker not reachable: discovering containers from the cgroup tree');
    await this.walker.refresh();
    this.retryTimer = setInterval(() => void this.tryDocker(), this.cfg.docker_retry_secs * 1000);
    this.retryTimer.unref();
  }

  private async tryDocker(): Promise<boolean> {
    if (this.docker || this.closed) return true;
    const clients = dockerClients(this.cfg);
    const d = new DockerDiscovery(clients.requests, {
      node: this.deps.node,
      filter: this.filter,
      logger: this.deps.logger,
      episodes: this.deps.episodes,
      resyncIntervalMs: this.cfg.resync_interval_secs * 1000,
      inspectConcurrency: 8,
    }, clients.events);
    try {
      await d.start();
    } catch {
      d.stop();
      return false;
    }
    if (this.closed) {
      d.stop();
      return true;
    }
    this.docker = d;
    if (this.retryTimer) clearInterval(this.retryTimer);
    return true;
  }

  list(): readonly DiscoveredContainer[] {
    return (this.docker ?? this.walker).list();
  }

  get(id: string): DiscoveredContainer | undefined {
    return (this.docker ?? this.walker).get(id);
  }

  async refresh(): Promise<void> {
    if (!this.docker) await this.walker.refresh();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.docker?.stop();
  }
}
