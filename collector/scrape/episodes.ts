import type { Logger } from 'pino';
import type { ComponentTelemetry } from '../../core/telemetry/component-telemetry';

/**
 * Every failure is counted (`errors_total{reason}`), but only the first of an episode is logged:
 * cAdvisor being down for an hour must not write 360 identical warnings. An episode ends when the
 * same key succeeds again, which is logged once too.
 */
export class ErrorEpisodes {
  private readonly active = new Map<string, { reason: string; count: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly telemetry: Pick<ComponentTelemetry, 'error'>,
    /** Keys are per target (a container, an endpoint); bounded so a churning node cannot grow it. */
    private readonly maxKeys = 1024,
  ) {}

  fail(key: string, reason: string, err: unknown): void {
    this.telemetry.error(reason);
    const episode = this.active.get(key);
    if (episode) {
      episode.count += 1;
      return;
    }
    if (this.active.size >= this.maxKeys) return; // still counted above; just not tracked or logged
    this.active.set(key, { reason, count: 1 });
    this.logger.warn({ key, reason, err: describe(err) }, 'scrape problem (logged once until it recovers)');
  }

  ok(key: string): void {
    const episode = this.active.get(key);
    if (!episode) return;
    this.active.delete(key);
    this.logger.info({ key, reason: episode.reason, failures: episode.count }, 'scrape problem recovered');
  }

  /** A key whose target is gone (container removed) ends silently: there is nothing to recover. */
  forget(key: string): void {
    this.active.delete(key);
  }

  isActive(key: string): boolean {
    return this.active.has(key);
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
