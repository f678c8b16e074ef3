import type Dockerode from 'dockerode';
import { PermanentError, RetryableError } from '../../core/delivery';
import { ScaleConflictError, type Actuator, type ScaleState } from './types';

/** The parts of `docker service inspect` we use. */
interface ServiceInfo {
  readonly ID: string;
  readonly Version: { readonly Index: number };
  readonly Spec: { readonly Name: string; readonly Mode?: { readonly Replicated?: { readonly Replicas?: number } } } & Record<string, unknown>;
}

interface TaskInfo {
  readonly ID: string;
  readonly Slot?: number;
  readonly NodeID?: string;
  readonly DesiredState?: string;
  readonly Status?: { readonly State?: string };
}

/** Maps dockerode errors once: a stale version is a conflict; 5xx and sockets retry; the rest is permanent. */
export function classifySwarmError(err: unknown, what: string): Error {
  const e = err as { statusCode?: number; message?: string; json?: { message?: string }; code?: string };
  const message = e.json?.message ?? e.message ?? String(err);
  if (/update out of sequence/i.test(message)) return new ScaleConflictError(`${what}: ${message}`, { cause: err });
  if (typeof e.statusCode === 'number') {
    if (e.statusCode >= 500 || e.statusCode === 429) return new RetryableError(`${what}: ${message}`, undefined, { cause: err });
    return new PermanentError(`${what}: ${message}`, `docker_${e.statusCode}`, { cause: err });
  }
  if (e.code) return new RetryableError(`${what}: ${message}`, undefined, { cause: err });
  return err as Error;
}

/**
 * Docker Swarm replicated services through dockerode: inspect for the spec and its version, list
 * the running tasks (ready replicas, named `<service>.<slot>.<task id>` like the containers'
 * `com.docker.swarm.task.name`), and update the spec with the version we read.
 */
export class DockerSwarmActuator implements Actuator {
  readonly kind = 'docker_swarm';

  constructor(private readonly docker: Dockerode, private readonly service: string) {}

  async read(): Promise<ScaleState> {
    let info: ServiceInfo;
    let tasks: TaskInfo[];
    try {
      info = (await this.docker.getService(this.service).inspect()) as ServiceInfo;
      tasks = (await this.docker.listTasks({ filters: { service: [this.service], 'desired-state': ['running'] } })) as TaskInfo[];
    } catch (err) {
      throw classifySwarmError(err, `inspect service ${this.service}`);
    }
    const replicas = info.Spec.Mode?.Replicated?.Replicas;
    if (replicas === undefined) throw new PermanentError(`service ${this.service} is not a replicated service`, 'not_replicated');
    const running = tasks.filter((t) => t.Status?.State === 'running');
    const readyPods = new Set(running.map((t) => `${info.Spec.Name}.${t.Slot ?? t.NodeID ?? ''}.${t.ID}`));
    return { replicas, readyReplicas: running.length, version: String(info.Version.Index), readyPods, opaque: info.Spec };
  }

  async write(replicas: number, state: ScaleState): Promise<void> {
    const spec = state.opaque as ServiceInfo['Spec'];
    const mode = { ...spec.Mode, Replicated: { ...spec.Mode?.Replicated, Replicas: replicas } };
    try {
      await this.docker.getService(this.service).update({ ...spec, Mode: mode, version: Number(state.version) });
    } catch (err) {
      throw classifySwarmError(err, `update service ${this.service}`);
    }
  }
}
