import type { ComponentFactory } from '../../../core/component/types';
import { cadvisorSourceSchema, type CadvisorSourceConfig } from './config';
import { CadvisorSource } from './source';

export { cadvisorSourceSchema } from './config';
export type { CadvisorSourceConfig } from './config';
export { CadvisorError, CadvisorSource } from './source';
export { containerFromCadvisor, dockerIdOf, latestStats, mapCadvisorStats, specFromCadvisor } from './map';
export { isCadvisorDockerResponse } from './api-types';
export type { CadvisorContainerInfo, CadvisorDockerResponse, CadvisorStats } from './api-types';

export const cadvisorSourceFactory: ComponentFactory<'source', CadvisorSourceConfig> = {
  type: 'cadvisor',
  kind: 'source',
  description: "Container metrics scraped from a running cAdvisor's REST API.",
  schema: cadvisorSourceSchema,
  create: (config) => new CadvisorSource(config),
};
