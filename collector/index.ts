import type { ComponentRegistry } from '../core/component/registry';
import { cadvisorSourceFactory } from './sources/cadvisor';
import { cgroupSourceFactory } from './sources/cgroup';
import { dockerStatsSourceFactory } from './sources/docker_stats';

export { cadvisorSourceFactory } from './sources/cadvisor';
export { cgroupSourceFactory } from './sources/cgroup';
export { dockerStatsSourceFactory } from './sources/docker_stats';

/** The collector's container-metrics sources: `cgroup` (embedded default), `cadvisor`, `docker_stats`. */
export function registerCollectorMetricSources(registry: ComponentRegistry): ComponentRegistry {
  return registry.register(cgroupSourceFactory).register(cadvisorSourceFactory).register(dockerStatsSourceFactory);
}
