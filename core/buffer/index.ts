export { BoundedQueue, QueueClosedError } from './bounded-queue';
export type { QueueHooks, QueueLimits, Sized, WhenFull } from './bounded-queue';
