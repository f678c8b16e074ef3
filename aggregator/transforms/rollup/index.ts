export { containerKeys, keyAt, rollUp } from './aggregate';
export type { ContainerKeys } from './aggregate';
export { RateTracker } from './derive';
export type { ContainerDerived } from './derive';
export { rollupFactory, rollupSchema, RollupTransform } from './transform';
export type { RollupConfig } from './transform';
