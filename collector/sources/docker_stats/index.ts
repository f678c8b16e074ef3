import type { ComponentFactory } from '../../../core/component/types';
import { dockerStatsSourceSchema, type DockerStatsSourceConfig } from './config';
import { DockerStatsSource } from './source';

export { dockerStatsSourceSchema } from './config';
export type { DockerStatsSourceConfig } from './config';
export { DockerStatsSource } from './source';
export { blkioByDevice, mapDockerStats } from './map';
export type { MappedStats } from './map';
export { cpuPercent, cpuReading, memoryPercent, memoryUsageNoCache } from './math';
export type { CpuReading } from './math';
export { isDockerStatsJson } from './stats-json';
export type { DockerStatsJson } from './stats-json';

export const dockerStatsSourceFactory: ComponentFactory<'source', DockerStatsSourceConfig> = {
  type: 'docker_stats',
  kind: 'source',
  description: "Container metrics from Docker's stats API, with CPU % and memory computed as the Docker CLI does.",
  schema: dockerStatsSourceSchema,
  create: (config) => new DockerStatsSource(config),
};
