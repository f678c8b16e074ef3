export { ApiServer, parseListen } from './server';
export type { ApiServerOptions } from './server';
