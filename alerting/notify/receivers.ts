import type { Logger } from 'pino';
import { errorForHttpStatus, RetryableError } from '../../core/delivery';
import { signatureHeaders } from './signing';
import type { Receiver, WebhookPayload } from './types';

/** Network failures of fetch (undici) are retryable; the cause carries the socket error code. */
export function classifyFetchError(err: unknown, what: string): Error {
  if (err instanceof RetryableError) return err;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if ((err as Error).name === 'AbortError' || (err as Error).name === 'TimeoutError' || cause?.code) {
    return new RetryableError(`${what}: ${cause?.message ?? (err as Error).message}`, undefined, { cause: err });
  }
  return err as Error;
}

/** POSTs JSON with optional HMAC headers; 2xx is success, the rest is classified once here. */
export async function postJson(
  url: string, body: string, opts: { secret?: string; contentType?: string; timeoutMs: number; signal: AbortSignal; nowMs?: number; headers?: Record<string, string> },
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': opts.contentType ?? 'application/json',
        'user-agent': 'cargoscope-alerting',
        ...opts.headers,
        ...signatureHeaders(opts.secret, body, opts.nowMs ?? Date.now()),
      },
      signal: AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]),
    });
  } catch (err) {
    throw classifyFetchError(err, `POST ${url}`);
  }
  const text = res.ok ? '' : await res.text().catch(() => '');
  if (!res.ok) await res.body?.cancel().catch(() => undefined);
  const classified = errorForHttpStatus(res.status, text, res.headers.get('retry-after'));
  if (classified) throw classified;
}

export interface WebhookReceiverOptions {
  readonly name: string;
  readonly url: string;
  readonly secret?: string;
  readonly sendResolved: boolean;
  readonly maxAlerts: number;
  readonly timeoutMs: number;
}

/** Alertmanager-compatible webhook: the v4 payload, signed when a secret is configured. */
export class WebhookReceiver implements Receiver {
  readonly name: string;
  readonly sendResolved: boolean;
  readonly maxAlerts: number;

  constructor(private readonly opts: WebhookReceiverOptions) {
    this.name = opts.name;
    this.sendResolved = opts.sendResolved;
    this.maxAlerts = opts.maxAlerts;
  }

  notify(payload: WebhookPayload, signal: AbortSignal): Promise<void> {
    return postJson(this.opts.url, JSON.stringify(payload), { timeoutMs: this.opts.timeoutMs, signal, ...(this.opts.secret ? { secret: this.opts.secret } : {}) });
  }
}

/** Writes each notification as one structured log line (for all-in-one and debugging). */
export class LogReceiver implements Receiver {
  readonly maxAlerts = 0;

  constructor(readonly name: string, private readonly logger: Logger, readonly sendResolved = true) {}

  notify(payload: WebhookPayload): Promise<void> {
    this.logger.info({ notification: payload }, `alert group ${payload.status}: ${payload.groupKey} (${payload.alerts.length} alert(s))`);
    return Promise.resolve();
  }
}
