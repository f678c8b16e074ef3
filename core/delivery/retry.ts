import { classifyError, DeadlineExceededError } from './errors';

export interface RetryPolicy {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Multiplier per attempt. */
  readonly multiplier: number;
  /** 0 for none; 1 for "full jitter" (a uniform draw in [0, backoff]). */
  readonly jitter: number;
  /** Total time allowed for all attempts, from the first; Infinity to retry until shutdown. */
  readonly deadlineMs: number;
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  initialBackoffMs: 100,
  maxBackoffMs: 30_000,
  multiplier: 2,
  jitter: 1,
  deadlineMs: Infinity,
  maxAttempts: Infinity,
};

export interface RetryHooks {
  readonly onRetry?: (attempt: number, delayMs: number, err: unknown) => void;
  /** For tests: a deterministic clock and sleep. */
  readonly random?: () => number;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The delay before attempt `attempt + 1` (attempt counts from 1), before any server hint. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.multiplier ** (attempt - 1));
  return Math.round(exp * (1 - policy.jitter * random()));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, fails permanently, or the policy's deadline / attempts run
 * out (then DeadlineExceededError). Only retryable errors are retried: permanent ones and bugs
 * are rethrown at once. A server's Retry-After is honoured, capped by the remaining deadline.
 * `signal` aborts the waiting between attempts (shutdown).
 */
export async function retry<T>(
  policy: RetryPolicy,
  attempt: (attemptNumber: number) => Promise<T>,
  signal?: AbortSignal,
  hooks: RetryHooks = {},
): Promise<T> {
  const now = hooks.now ?? Date.now;
  const wait = hooks.sleep ?? sleep;
  const started = now();
  for (let n = 1; ; n += 1) {
    try {
      return await attempt(n);
    } catch (err) {
      if (classifyError(err) !== 'retryable') throw err;
      const hinted = (err as { retryAfterMs?: number }).retryAfterMs;
      const delay = Math.max(hinted ?? 0, backoffDelay(policy, n, hooks.random));
      const remaining = policy.deadlineMs - (now() - started);
      if (n >= policy.maxAttempts || delay >= remaining || signal?.aborted) {
        throw new DeadlineExceededError(`gave up after ${n} attempt(s): ${(err as Error).message}`, err);
      }
      hooks.onRetry?.(n, delay, err);
      await wait(delay, signal);
    }
  }
}

/** Races `work` against a timeout, aborting the signal it was given when time is up. */
export async function withTimeout<T>(timeoutMs: number, work: (signal: AbortSignal) => Promise<T>, parent?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(parent?.reason);
  parent?.addEventListener('abort', onParentAbort, { once: true });
  const timer = setTimeout(() => controller.abort(timeoutError(timeoutMs)), timeoutMs);
  try {
    return await Promise.race([
      work(controller.signal),
      new Promise<never>((_, reject) => {
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
}

function timeoutError(ms: number): Error {
  const err = new Error(`timed out after ${ms} ms`);
  (err as Error & { code: string }).code = 'ETIMEDOUT';
  return err;
}
