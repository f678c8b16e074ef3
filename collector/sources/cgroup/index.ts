import type { ComponentFactory } from '../../../core/component/types';
import { cgroupSourceSchema, type CgroupSourceConfig } from './config';
import { CgroupSource } from './source';

export { cgroupSourceSchema } from './config';
export type { CgroupSourceConfig } from './config';
export { CgroupSource } from './source';
export { mapCgroupReadings, weightToShares, workingSet } from './map';
export type { CgroupReadings } from './map';

export const cgroupSourceFactory: ComponentFactory<'source', CgroupSourceConfig> = {
  type: 'cgroup',
  kind: 'source',
  description: 'Container metrics read straight from cgroup v1/v2 files and /proc (the embedded default).',
  schema: cgroupSourceSchema,
  create: (config) => new CgroupSource(config),
};
