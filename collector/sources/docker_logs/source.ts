import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { DockerApi } from '../../discovery/docker-api';
import type { Deadline, Source, SourceContext } from '../../../core/component/types';
import { ConcurrencyLimit } from '../../../core/delivery/concurrency';
import { dockerClients } from '../../discovery/open';
import { ApiTailer } from './api-tailer';
import { CheckpointStore } from './checkpoint-store';
import type { DockerLogsSourceConfig } from './config';
import { containersBornSince } from './container-dir';
import { ContainerTailer, type TailerDeps } from './container-tailer';
import { ByteBudget } from './delivery-tracker';
import { HoldProcess } from './hold-process';
import { ReadBuffers } from './read-buffers';
import { compileStartPattern, type MultilineOptions } from './multiline';
import { DiscoveryLogTargets, jsonLogPath, type LogTarget, type LogTargets } from './targets';
import { workloadId } from '../../../core/event';

type Tailer = ContainerTailer | ApiTailer;

export interface DockerLogsSourceDeps {
  /** Container discovery; defaults to collector/discovery through `DiscoveryLogTargets`. */
  readonly targets?: LogTargets;
  readonly docker?: DockerApi;
}

/**
 * Container logs: json-file tailed from disk with rotation, checkpoints and partial-record
 * reassembly; other log drivers followed through the Docker API. One tailer per container;
 * positions advance only after delivery; reading stops while `max_in_flight_bytes` are unacknowledged.
 */
export class DockerLogsSource implements Source {
  private ctx: SourceContext | undefined;
  private store: CheckpointStore | undefined;
  private budget: ByteBudget;
  private targets: LogTargets | undefined;
  private docker: DockerApi | undefined;
  private readonly tailers = new Map<string, Tailer>();
  private syncTimer: NodeJS.Timeout | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private shutdownPromise: Promise<void> | undefined;
  private readonly badPatterns = new Set<string>();
  private rootWatcher: FSWatcher | undefined;
  /** Pinned tailers whose container is being looked up (so one lookup at a time each). */
  private readonly lookingUp = new Set<string>();
  private readonly openLimit = new ConcurrencyLimit(4);
  /**
   * Containers whose directory is younger than this are wholly ours to ship: the collector's first
   * start on this node (kept in the checkpoint file), so a restart does not shift it.
   */
  private startedAtMs = Date.now();
  private readonly readBuffers: ReadBuffers;
  private holdProcess: HoldProcess | undefined;
  /** `include_labels` split once: sync() checks every running container against it 5× a second. */
  private readonly includeLabels: ReadonlyArray<readonly [string, string | undefined]>;

  constructor(
    private readonly config: DockerLogsSourceConfig,
    deps: DockerLogsSourceDeps = {},
  ) {
    this.targets = deps.targets;
    this.docker = deps.docker;
    this.budget = new ByteBudget(config.max_in_flight_bytes);
    this.readBuffers = new ReadBuffers(config.read_buffer_bytes, config.read_buffers);
    this.includeLabels = config.include_labels.map((want) => {
      const eq = want.indexOf('=');
      return eq < 0 ? [want, undefined] : [want.slice(0, eq), want.slice(eq + 1)];
    });
  }

  /** Bytes emitted and not yet acknowledged (for tests and self-metrics). */
  get inFlightBytes(): number {
    return this.budget.inFlight;
  }

  async start(ctx: SourceContext): Promise<void> {
    if (this.stopping) return;
    this.ctx = ctx;
    this.store = new CheckpointStore(join(ctx.dataDir, 'checkpoints.json'));
    const warning = await this.store.load();
    if (warning) {
      ctx.telemetry.error('checkpoint_corrupt');
      ctx.logger.warn(warning);
    }
    this.startedAtMs = this.store.responsibleSince(Date.now());
    this.holdProcess = new HoldProcess({
      failed: (err) => {
        ctx.telemetry.error('log_hold_process_failed');
        ctx.logger.warn({ err }, 'the process that holds rotated log files open stopped; the watcher callbacks still hold them, later under load');
      },
      problem: (kind, path, message) => {
        ctx.telemetry.error(kind === 'watch_failed' ? 'log_hold_watch_failed' : 'log_file_hold_failed');
        ctx.logger.debug({ path, message }, kind === 'watch_failed' ? 'the hold process cannot watch a log directory' : 'holding rotated log files failed');
      },
      ready: (niceness) => ctx.logger.debug({ niceness }, 'the hold process runs'),
    });
    // Booted alongside discovery, so it serves the first container's watch at once.
    const holdProcessReady = this.holdProcess.start();
    this.targets ??= new DiscoveryLogTargets(this.config, { node: ctx.node, logger: ctx.logger, telemetry: ctx.telemetry });
    await this.targets.start();
    await holdProcessReady;
    this.watchContainersDir();
    // Containers with checkpoints that are not running now may still have undelivered lines.
    const known = this.store.containers();
    for (const id of known) this.pin(id, false);
    await this.pinBornWhileDown(known);
    this.sync();
    await this.flushCheckpoints(); // the first start, recorded before anything else can go wrong
    this.syncTimer = setInterval(() => this.sync(), 200);
    this.checkpointTimer = setInterval(() => void this.flushCheckpoints(), this.config.checkpoint_interval_ms);
  }

  shutdown(deadline: Deadline): Promise<void> {
    this.shutdownPromise ??= this.stop(deadline);
    return this.shutdownPromise;
  }

  private async stop(deadline: Deadline): Promise<void> {
    this.stopping = true;
    if (this.syncTimer) clearInterval(this.syncTimer);
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    this.rootWatcher?.close();
    this.targets?.close();
    const tailers = [...this.tailers.values()];
    const stopAll = Promise.all(tailers.map((t) => t.stop()));
    this.budget.wakeAll();
    await beforeDeadline(stopAll, deadline);
    // Sinks still run while sources stop: give emitted batches the time left to be acknowledged,
    // keeping a little for the final checkpoint write.
    await beforeDeadline(Promise.all(tailers.map((t) => t.idle())), deadline - 200);
    await this.flushCheckpoints();
    await Promise.all(tailers.map((t) => t.close()));
    this.tailers.clear();
    await this.holdProcess?.close();
  }

  private sync(): void {
    if (this.stopping || !this.targets) return;
    const running = this.targets.running();
    for (const [id, target] of running) {
      const existing = this.tailers.get(id);
      if (!this.selected(target)) {
        if (existing instanceof ContainerTailer && !existing.isConfirmed) this.confirmPinned(existing, target); // drops it
        continue;
      }
      if (!existing) this.spawn(target);
      else if (existing instanceof ContainerTailer && !existing.isConfirmed) this.confirmPinned(existing, target);
      else {
        existing.target = target;
        existing.setRunning(true);
      }
    }
    for (const [id, tailer] of this.tailers) {
      if (running.has(id)) continue;
      tailer.setRunning(false);
      // Pinned, and discovery has not listed it for a while: a short-lived or stopped container.
      if (tailer instanceof ContainerTailer && !tailer.isConfirmed && Date.now() - tailer.pinnedAtMs > 2000) void this.resolvePinned(tailer);
    }
  }

  private spawn(target: LogTarget): void {
    const deps = this.tailerDeps(target);
    let tailer: Tailer;
    if (target.logDriver === 'json-file') tailer = new ContainerTailer(target, deps);
    else if (this.config.api_fallback && target.logDriver !== 'none') {
      this.docker ??= dockerClients(this.config.discovery).events;
      tailer = new ApiTailer(target, { ...deps, docker: this.docker });
    } else return;
    this.track(tailer);
  }

  private tailerDeps(target: LogTarget | undefined): TailerDeps {
    const ctx = this.ctx as SourceContext;
    return { ctx, config: this.config, store: this.store as CheckpointStore, budget: this.budget, multiline: target ? this.multilineFor(target) : undefined, openLimit: this.openLimit, sourceStartedAtMs: this.startedAtMs, readBuffers: this.readBuffers, holdProcess: this.holdProcess };
  }

  private track(tailer: Tailer): void {
    const id = tailer.id;
    this.tailers.set(id, tailer);
    tailer.start();
    void tailer.finished.then(() => {
      if (this.tailers.get(id) === tailer && !this.stopping) this.tailers.delete(id);
    });
  }

  /**
   * A new container directory: open its log at once, before discovery's inspect, so a container
   * that rotates (or exits) within its first second cannot lose files; reading waits for identity.
   */
  private pin(id: string, urgent = true): void {
    if (this.stopping || this.tailers.has(id) || !/^[0-9a-f]{64}$/.test(id)) return;
    const short = id.slice(0, 12);
    const identity = {
      node: (this.ctx as SourceContext).node, id, name: short, image: '', labels: {}, containerName: short, isSandbox: false,
      workload: { kind: 'standalone' as const, namespace: 'standalone', replicaSet: short, pod: short, id: workloadId('standalone', 'standalone', short) },
    };
    const target: LogTarget = { identity, logDriver: 'json-file', logPath: jsonLogPath(this.config.docker_root, id), labels: {}, tty: false };
    this.track(new ContainerTailer(target, this.tailerDeps(undefined), true, urgent));
  }

  /**
   * Containers created since the first start that have no checkpoint were born while the
   * collector was down (or restarting); the short-lived ones among them have exited already, so
   * neither discovery nor the directory watch will ever name them. Their logs are read from the start.
   */
  private async pinBornWhileDown(known: Set<string>): Promise<void> {
    const born = await containersBornSince(join(this.config.docker_root, 'containers'), this.startedAtMs);
    const unseen = born.filter((id) => !known.has(id) && !this.tailers.has(id));
    for (const id of unseen) this.pin(id, false);
    if (unseen.length > 0) this.ctx?.logger.info({ containers: unseen.length, since: new Date(this.startedAtMs).toISOString() }, 'reading containers that were created while the collector was down');
  }

  private confirmPinned(tailer: ContainerTailer, target: LogTarget): void {
    if (!this.selected(target)) {
      // Pinned before its labels were known; not one of ours to ship. Nothing was read yet.
      this.tailers.delete(tailer.id);
      void tailer.stop().then(() => tailer.close());
      return;
    }
    if (target.logDriver === 'json-file' && target.logPath === tailer.target.logPath) {
      tailer.confirm(target, this.multilineFor(target));
      return;
    }
    // Not a json-file log where we looked: drop the pin and follow the container the right way.
    this.tailers.delete(tailer.id);
    void tailer.stop().then(() => tailer.close());
    this.spawn(target);
  }

  private async resolvePinned(tailer: ContainerTailer): Promise<void> {
    if (this.lookingUp.has(tailer.id) || !this.targets) return;
    this.lookingUp.add(tailer.id);
    try {
      const target = await this.targets.lookup(tailer.id);
      if (this.stopping || this.tailers.get(tailer.id) !== tailer || tailer.isConfirmed) return;
      if (target) {
        this.confirmPinned(tailer, target);
        return;
      }
      // Unknown to Docker (removed already, or not a container): nothing to attribute lines to.
      this.tailers.delete(tailer.id);
      await tailer.stop();
      await tailer.close();
    } finally {
      this.lookingUp.delete(tailer.id);
    }
  }

  private watchContainersDir(): void {
    try {
      this.rootWatcher = watch(join(this.config.docker_root, 'containers'), (_event, name) => {
        if (typeof name === 'string') this.pin(name);
      });
      this.rootWatcher.on('error', () => this.rootWatcher?.close());
      this.rootWatcher.unref();
    } catch (err) {
      // Without it, new containers are found through discovery alone (a few hundred ms later).
      this.ctx?.logger.info({ err, docker_root: this.config.docker_root }, 'cannot watch the containers directory; relying on discovery');
    }
  }

  /** `include_labels`: every one must be on the container (`key`, or `key=value`). */
  private selected(target: LogTarget): boolean {
    return this.includeLabels.every(([key, value]) => (value === undefined ? Object.hasOwn(target.labels, key) : target.labels[key] === value));
  }

  /** The container's label wins over config; an invalid pattern is reported once and ignored. */
  private multilineFor(target: LogTarget): MultilineOptions | undefined {
    const m = this.config.multiline;
    const source = target.labels[m.label] ?? m.start_pattern;
    const compiled = compileStartPattern(source);
    if (compiled instanceof Error) {
      const ctx = this.ctx as SourceContext;
      ctx.telemetry.error('multiline_pattern_invalid');
      if (!this.badPatterns.has(source ?? '')) {
        this.badPatterns.add(source ?? '');
        ctx.logger.warn({ container: target.identity.id, pattern: source, err: compiled.message }, 'invalid multiline pattern; lines are not joined');
      }
      return undefined;
    }
    if (!compiled) return undefined;
    return { start: compiled, maxLines: m.max_lines, maxBytes: this.config.max_line_bytes, timeoutMs: m.timeout_ms };
  }

  private async flushCheckpoints(): Promise<void> {
    try {
      await this.store?.flush();
    } catch (err) {
      this.ctx?.telemetry.error('checkpoint_write_failed');
      this.ctx?.logger.warn({ err }, 'could not write log checkpoints; will retry');
    }
  }
}

async function beforeDeadline(work: Promise<unknown>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
