export { allDashboards, buildDashboards, renderJson } from './build';
export type { BuildResult } from './build';
export { STORE } from './datasources';
export { DASHBOARDS_DIR_ENV } from './provisioning';
