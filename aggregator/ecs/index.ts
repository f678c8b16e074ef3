export { detectLevel, toEcs } from './document';
export type { EcsLogDocument } from './document';
