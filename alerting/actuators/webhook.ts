import { randomUUID } from 'node:crypto';
import { postJson } from '../notify/receivers';
import type { Actuator, ScaleState } from './types';

export const CLOUDEVENT_TYPE = 'io.cargoscope.autoscaler.decision.v1';

export interface CloudEvent<T> {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: T;
}

/** A decision as a CloudEvents 1.0 structured-mode JSON document. */
export function decisionCloudEvent<T>(source: string, subject: string, atMs: number, data: T, id: string = randomUUID()): CloudEvent<T> {
  return { specversion: '1.0', id, source, type: CLOUDEVENT_TYPE, subject, time: new Date(atMs).toISOString(), datacontenttype: 'application/json', data };
}

export interface DecisionWebhookOptions {
  readonly url: string;
  readonly secret?: string;
  readonly timeoutMs: number;
  readonly source: string;
}

/** Sends decision CloudEvents, HMAC-signed like alert webhooks, for external autoscalers. */
export async function sendDecision(o: DecisionWebhookOptions, subject: string, atMs: number, record: unknown, signal: AbortSignal): Promise<void> {
  const body = JSON.stringify(decisionCloudEvent(o.source, subject, atMs, record));
  await postJson(o.url, body, { contentType: 'application/cloudevents+json', timeoutMs: o.timeoutMs, signal, ...(o.secret ? { secret: o.secret } : {}) });
}

/**
 * A target with no orchestrator we drive: the current count comes from the roll-ups (running
 * containers of the workload) and the "write" is the decision event, which an external autoscaler
 * applies. There is no version to conflict on.
 */
export class WebhookActuator implements Actuator {
  readonly kind = 'webhook';

  constructor(private readonly opts: DecisionWebhookOptions, private readonly subject: string, private readonly current: () => ScaleState) {}

  read(): Promise<ScaleState> {
    return Promise.resolve(this.current());
  }

  write(_replicas: number, _state: ScaleState, signal: AbortSignal, record?: unknown): Promise<void> {
    return sendDecision(this.opts, this.subject, Date.now(), record, signal);
  }
}
