export { ConcurrencyLimit } from './concurrency';
export {
  classifyError, DeadlineExceededError, errorForHttpStatus, parseRetryAfter, PermanentError, RetryableError,
} from './errors';
export type { ErrorClass } from './errors';
export { backoffDelay, DEFAULT_RETRY, retry, sleep, withTimeout } from './retry';
export type { RetryHooks, RetryPolicy } from './retry';
export { SinkRunner } from './sink-runner';
export type { SinkRunnerOptions } from './sink-runner';
