import { join } from 'node:path';
import type { DockerApi } from '../../discovery/docker-api';
import type { Logger } from 'pino';
import type { ContainerIdentity } from '../../../core/event';
import type { ComponentTelemetry } from '../../../core/telemetry/component-telemetry';
import { forEachLimited, statusOf } from '../../discovery/docker-discovery';
import { buildIdentity, labelFilter } from '../../discovery/identity';
import { AutoDiscovery, dockerClients, type DiscoveryHandle } from '../../discovery/open';
import { ErrorEpisodes } from '../../scrape/episodes';
import type { DockerLogsSourceConfig } from './config';

/** One container's log as this source needs it. */
export interface LogTarget {
  readonly identity: ContainerIdentity;
  /** Docker's log driver: `json-file` is tailed from disk, others through the API stream. */
  readonly logDriver: string;
  /** The json-file path (inspect's `LogPath`, or built from `docker_root`). */
  readonly logPath: string;
  /** All labels, unfiltered: the multiline label is read from here. */
  readonly labels: Readonly<Record<string, string>>;
  /** A TTY container's API stream has no frame headers. */
  readonly tty: boolean;
}

/**
 * What the source needs from container discovery. Kept this small so discovery can be swapped
 * (tests use an in-memory one) without touching the tailers.
 */
export interface LogTargets {
  start(): Promise<void>;
  /** Running containers now, by id; the map is replaced, not mutated, when membership changes. */
  running(): ReadonlyMap<string, LogTarget>;
  /** One container, running or not (a short-lived one discovery never listed); undefined if unknown. */
  lookup(id: string): Promise<LogTarget | undefined>;
  close(): void;
}

interface LogInspect {
  readonly Id: string;
  readonly Name?: string;
  readonly LogPath?: string;
  readonly Config?: { readonly Image?: string; readonly Labels?: Readonly<Record<string, string>> | null; readonly Tty?: boolean };
  readonly HostConfig?: { readonly LogConfig?: { readonly Type?: string } };
}

export function jsonLogPath(dockerRoot: string, id: string): string {
  return join(dockerRoot, 'containers', id, `${id}-json.log`);
}

/**
 * collector/discovery (Docker list + events, identity computed once) for membership and identity,
 * plus one inspect per container start for what only logs need: log driver, log path, raw labels.
 * Without Docker (cgroup walk), containers are assumed to use json-file at the default path.
 */
export class DiscoveryLogTargets implements LogTargets {
  private discovery: DiscoveryHandle | undefined;
  private docker: DockerApi | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastList: readonly unknown[] | undefined;
  private readonly known = new Map<string, { startedAtMs: number; target: LogTarget }>();
  private current: ReadonlyMap<string, LogTarget> = new Map();
  private syncing = false;

  constructor(
    private readonly config: DockerLogsSourceConfig,
    private readonly deps: { node: string; logger: Logger; telemetry: ComponentTelemetry; discovery?: DiscoveryHandle },
  ) {}

  async start(): Promise<void> {
    const episodes = new ErrorEpisodes(this.deps.logger, this.deps.telemetry);
    this.docker = dockerClients(this.config.discovery).requests;
    if (this.deps.discovery) this.discovery = this.deps.discovery;
    else {
      const auto = new AutoDiscovery(this.config.discovery, { node: this.deps.node, logger: this.deps.logger, episodes });
      await auto.start();
      this.discovery = auto;
    }
    await this.sync();
    // Discovery applies Docker events as they come; looking at its snapshot 5×/s keeps the
    // "new container tailed within a second" promise without a callback API on discovery.
    this.timer = setInterval(() => void this.sync(), 200);
    this.timer.unref();
  }

  running(): ReadonlyMap<string, LogTarget> {
    return this.current;
  }

  async lookup(id: string): Promise<LogTarget | undefined> {
    const known = this.current.get(id);
    if (known || !this.docker) return known;
    const filter = labelFilter({ allow: this.config.discovery.labels.allow, maxValueLength: this.config.discovery.labels.max_value_length });
    try {
      const body = (await this.docker.getContainer(id).inspect()) as LogInspect;
      const identity = buildIdentity({ node: this.deps.node, id: body.Id, name: body.Name ?? id, image: body.Config?.Image ?? '', labels: body.Config?.Labels ?? {} }, filter);
      return this.fromInspect(identity, body);
    } catch {
      return undefined;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.deps.discovery) this.discovery?.close();
  }

  private async sync(): Promise<void> {
    const discovery = this.discovery;
    if (!discovery || this.syncing) return;
    this.syncing = true;
    try {
      await discovery.refresh();
      const list = discovery.list();
      if (list === this.lastList) return;
      const todo = list.filter((c) => this.known.get(c.identity.id)?.startedAtMs !== c.startedAtMs);
      await forEachLimited(todo, 8, async (c) => {
        const target = await this.inspect(c.identity, discovery.mode === 'docker');
        if (target) this.known.set(c.identity.id, { startedAtMs: c.startedAtMs, target });
      });
      const live = new Set(list.map((c) => c.identity.id));
      for (const id of [...this.known.keys()]) if (!live.has(id)) this.known.delete(id);
      this.current = new Map([...this.known].map(([id, k]) => [id, k.target]));
      // Only remember the list once every container in it was inspected, so a failure is retried.
      if (todo.every((c) => this.known.has(c.identity.id))) this.lastList = list;
    } finally {
      this.syncing = false;
    }
  }

  private async inspect(identity: ContainerIdentity, viaDocker: boolean): Promise<LogTarget | undefined> {
    const fallback: LogTarget = { identity, logDriver: 'json-file', logPath: jsonLogPath(this.config.docker_root, identity.id), labels: identity.labels, tty: false };
    if (!viaDocker || !this.docker) return fallback;
    let body: LogInspect;
    try {
      body = (await this.docker.getContainer(identity.id).inspect()) as LogInspect;
    } catch (err) {
      if (statusOf(err) !== 404) this.deps.telemetry.error('docker_inspect_failed');
      return undefined;
    }
    return this.fromInspect(identity, body);
  }

  private fromInspect(identity: ContainerIdentity, body: LogInspect): LogTarget {
    const fallback = jsonLogPath(this.config.docker_root, identity.id);
    const logPath = this.config.use_inspect_log_path && body.LogPath ? body.LogPath : fallback;
    return {
      identity,
      logDriver: body.HostConfig?.LogConfig?.Type ?? 'json-file',
      logPath,
      labels: body.Config?.Labels ?? {},
      tty: body.Config?.Tty === true,
    };
  }
}

/** Fixed targets for tests and for tailing without Docker. */
export class StaticLogTargets implements LogTargets {
  private current: ReadonlyMap<string, LogTarget>;

  constructor(targets: readonly LogTarget[] = []) {
    this.current = new Map(targets.map((t) => [t.identity.id, t]));
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  running(): ReadonlyMap<string, LogTarget> {
    return this.current;
  }

  lookup(id: string): Promise<LogTarget | undefined> {
    return Promise.resolve(this.current.get(id));
  }

  set(targets: readonly LogTarget[]): void {
    this.current = new Map(targets.map((t) => [t.identity.id, t]));
  }

  close(): void {}
}
