import type { DockerApi } from './docker-api';
import type { Logger } from 'pino';
import { describe, type ErrorEpisodes } from '../scrape/episodes';
import { fromInspect, type DockerInspect } from './docker-inspect';
import type { ContainerView, DiscoveredContainer } from './types';

/** Events that change what is running or what we know about it. */
const WATCHED_EVENTS = ['start', 'restart', 'die', 'stop', 'kill', 'destroy', 'rename', 'update', 'pause', 'unpause'];
const GONE_EVENTS = new Set(['die', 'destroy']);

export interface DockerDiscoveryOptions {
  readonly node: string;
  readonly filter: (labels: Readonly<Record<string, string>>) => Record<string, string>;
  readonly logger: Logger;
  readonly episodes: ErrorEpisodes;
  /** A full relist this often, in case an event was lost; also done after every reconnect. */
  readonly resyncIntervalMs: number;
  /** Parallel inspects on a (re)list, so 300 containers do not mean 300 sockets at once. */
  readonly inspectConcurrency: number;
  readonly reconnectDelayMs?: number;
}

interface DockerEvent {
  readonly Type?: string;
  readonly Action?: string;
  readonly status?: string;
  readonly id?: string;
  readonly Actor?: { readonly ID?: string };
}

/**
 * Running containers from dockerd: one list at start, then the events stream, so a start, stop,
 * rename or restart is reflected before the next scrape. Metadata and identity are computed from
 * one inspect per change, never per scrape.
 */
export class DockerDiscovery implements ContainerView {
  private readonly byId = new Map<string, DiscoveredContainer>();
  private snapshot: readonly DiscoveredContainer[] = [];
  /** Bumped on every event for an id, so an inspect that raced a later event is discarded. */
  private readonly generation = new Map<string, number>();
  private events: NodeJS.ReadableStream | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly docker: DockerApi,
    private readonly options: DockerDiscoveryOptions,
    /** A client without a request timeout for the events stream (defaults to `docker`). */
    private readonly eventsClient: DockerApi = docker,
  ) {}

  list(): readonly DiscoveredContainer[] {
    return this.snapshot;
  }

  get(id: string): DiscoveredContainer | undefined {
    return this.byId.get(id);
  }

  /** Throws when dockerd does not answer, so the caller can fall back to walking cgroups. */
  async start(): Promise<void> {
    await this.docker.ping();
    // Subscribe before listing: an event between the two is then seen rather than lost.
    await this.subscribe();
    await this.resync();
    this.resyncTimer = setInterval(() => void this.resync(), this.options.resyncIntervalMs);
    this.resyncTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    // The events stream is an http.IncomingMessage; its typing here is the bare ReadableStream.
    const stream = this.events as { destroy?: () => void } | undefined;
    stream?.destroy?.();
    this.events = undefined;
  }

  /** Lists running containers and reconciles: new ones inspected, vanished ones dropped. */
  async resync(): Promise<void> {
    if (this.stopped) return;
    let running: string[];
    try {
      const infos = await this.docker.listContainers({ all: false });
      running = infos.map((c) => c.Id);
      this.options.episodes.ok('docker_list');
    } catch (err) {
      this.options.episodes.fail('docker_list', 'docker_unavailable', err);
      return;
    }
    const live = new Set(running);
    for (const id of [...this.byId.keys()]) if (!live.has(id)) this.remove(id);
    // Generations are kept past a removal (a late inspect must still see it changed) and pruned here.
    for (const id of [...this.generation.keys()]) if (!live.has(id)) this.generation.delete(id);
    const todo = running.filter((id) => !this.byId.has(id));
    await forEachLimited(todo, this.options.inspectConcurrency, (id) => this.refresh(id));
  }

  private async subscribe(): Promise<void> {
    const filters = JSON.stringify({ type: ['container'], event: WATCHED_EVENTS });
    const stream = await this.eventsClient.getEvents({ filters });
    this.events = stream;
    let buffered = '';
    stream.on('data', (chunk: Buffer | string) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) this.onEventLine(line);
      }
    });
    const lost = (err?: unknown): void => {
      if (this.stopped || this.events !== stream) return;
      this.events = undefined;
      this.options.episodes.fail('docker_events', 'docker_events_lost', err ?? new Error('events stream ended'));
      this.reconnectTimer = setTimeout(() => void this.reconnect(), this.options.reconnectDelayMs ?? 2000);
    };
    stream.on('error', lost);
    stream.on('end', () => lost());
    stream.on('close', () => lost());
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.subscribe();
      this.options.episodes.ok('docker_events');
      await this.resync();
    } catch (err) {
      this.options.episodes.fail('docker_events', 'docker_events_lost', err);
      this.reconnectTimer = setTimeout(() => void this.reconnect(), this.options.reconnectDelayMs ?? 2000);
    }
  }

  private onEventLine(line: string): void {
    let event: DockerEvent;
    try {
      event = JSON.parse(line) as DockerEvent;
    } catch (err) {
      this.options.episodes.fail('docker_events_parse', 'docker_event_unparseable', err);
      return;
    }
    const id = event.Actor?.ID ?? event.id;
    const action = (event.Action ?? event.status ?? '').split(':')[0] ?? '';
    if (!id) return;
    this.generation.set(id, (this.generation.get(id) ?? 0) + 1);
    if (GONE_EVENTS.has(action)) this.remove(id);
    else void this.refresh(id);
  }

  /** Inspects one container and applies the result unless a newer event overtook it. */
  private async refresh(id: string): Promise<void> {
    const gen = this.generation.get(id) ?? 0;
    let inspect: DockerInspect;
    try {
      inspect = (await this.docker.getContainer(id).inspect()) as DockerInspect;
    } catch (err) {
      // 404: removed before we looked. Anything else: the next event or resync will retry.
      if (statusOf(err) !== 404) this.options.logger.debug({ id, err: describe(err) }, 'inspect failed');
      if ((this.generation.get(id) ?? 0) === gen) this.remove(id);
      return;
    }
    if (this.stopped || (this.generation.get(id) ?? 0) !== gen) return;
    const found = fromInspect(inspect, this.options.node, this.options.filter);
    if (found) this.upsert(found);
    else this.remove(id);
  }

  private upsert(c: DiscoveredContainer): void {
    this.byId.set(c.identity.id, c);
    this.snapshot = [...this.byId.values()];
  }

  private remove(id: string): void {
    if (!this.byId.delete(id)) return;
    this.snapshot = [...this.byId.values()];
    this.options.episodes.forget(id);
  }
}

export function statusOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'statusCode' in err) {
    const code = (err).statusCode;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () => worker()));
}
