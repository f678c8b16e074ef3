import type { LogBatch, LogRecord } from '../../core/event';

/** An Elastic Common Schema document for one log record (the fields ARCHITECTURE.md lists). */
export interface EcsLogDocument {
  readonly '@timestamp': string;
  readonly message: string;
  readonly stream: string;
  readonly log?: { readonly level?: string };
  readonly container: {
    readonly id: string;
    readonly name: string;
    readonly image: { readonly name: string };
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly kubernetes?: {
    readonly namespace: string;
    readonly pod: { readonly name: string };
    readonly replicaset: { readonly name: string };
    readonly deployment?: { readonly name: string };
  };
  readonly host: { readonly name: string };
  readonly event: { readonly id: string; readonly original_offset: number };
  readonly error?: { readonly type: string };
}

// A leading level word or a `level=` / `"level":` field, which covers most application loggers.
const LEVEL = /(?:^|[\s[("])(?:level[=:]\s*"?)?(TRACE|DEBUG|INFO|WARN(?:ING)?|ERROR|FATAL|CRITICAL)\b/i;

export function detectLevel(message: string): string | undefined {
  const m = LEVEL.exec(message.slice(0, 200));
  if (!m) return undefined;
  const level = (m[1] as string).toLowerCase();
  return level === 'warning' ? 'warn' : level === 'critical' ? 'fatal' : level;
}

/** Maps one record to its ECS document; the container part is shared by all records of a batch. */
export function toEcs(batch: LogBatch, record: LogRecord): EcsLogDocument {
  const c = batch.container;
  const w = c.workload;
  const level = detectLevel(record.message);
  return {
    '@timestamp': record.time,
    message: record.message,
    stream: record.stream,
    ...(level ? { log: { level } } : {}),
    container: { id: c.id, name: c.name, image: { name: c.image }, labels: c.labels },
    ...(w.kind === 'kubernetes'
      ? {
          kubernetes: {
            namespace: w.namespace,
            pod: { name: w.pod },
            replicaset: { name: w.replicaSet },
            ...(w.deployment ? { deployment: { name: w.deployment } } : {}),
          },
        }
      : {}),
    host: { name: c.node },
    event: { id: record.id, original_offset: record.origin.offset },
    ...(record.error ? { error: { type: record.error } } : {}),
  };
}
