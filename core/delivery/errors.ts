/**
 * Errors are classified once, at the edge where they are met (a sink's client call), into:
 * - retryable: worth another attempt (network, 429, 5xx), optionally after a server-given delay;
 * - permanent: will fail the same way again (other 4xx, bad data) — route to the dead letter.
 * Anything unclassified is a programmer error: never retried, surfaced loudly.
 */
export class RetryableError extends Error {
  constructor(
    message: string,
    /** Server-requested delay (Retry-After), when given. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RetryableError';
  }
}

export class PermanentError extends Error {
  constructor(
    message: string,
    /** A short bounded code for metrics and dead letters (`http_400`, `mapping`, `unparseable`). */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** Ran out of time or attempts while the error was still retryable. */
export class DeadlineExceededError extends Error {
  constructor(
    message: string,
    readonly lastError: unknown,
  ) {
    super(message, { cause: lastError });
    this.name = 'DeadlineExceededError';
  }
}

export type ErrorClass = 'retryable' | 'permanent' | 'bug';

const RETRYABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT', 'ABORT_ERR',
]);

export function classifyError(err: unknown): ErrorClass {
  if (err instanceof RetryableError) return 'retryable';
  if (err instanceof PermanentError) return 'permanent';
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return 'retryable';
  return 'bug';
}

/** Maps an HTTP status (and its Retry-After header) to a classified error; null for success. */
export function errorForHttpStatus(status: number, body: string, retryAfter?: string | null): RetryableError | PermanentError | null {
  if (status < 300) return null;
  const text = `HTTP ${status}${body ? `: ${body.slice(0, 500)}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) return new RetryableError(text, parseRetryAfter(retryAfter));
  return new PermanentError(text, `http_${status}`);
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
