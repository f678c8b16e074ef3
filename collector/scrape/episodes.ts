import type { Logger } from 'pino';
import type { ComponentTelemetry } from '../../core/telemetry/component-telemetry';
// The module itself, not core/telemetry's index: that would load OpenTelemetry into every collector.
import { EpisodeLogger } from '../../core/telemetry/logger';

/**
 * Every failure is counted (`errors_total{reason}`), but only the first of an episode is logged
 * (core's EpisodeLogger): cAdvisor being down for an hour must not write 360 identical warnings.
 * An episode ends when the same key succeeds again, which is logged once too.
 */
export class ErrorEpisodes {
  private readonly episodes: EpisodeLogger;

  constructor(
    logger: Logger,
    private readonly telemetry: Pick<ComponentTelemetry, 'error'>,
    /** Keys are per target (a container, an endpoint); bounded so a churning node cannot grow it. */
    maxKeys = 1024,
  ) {
    this.episodes = new EpisodeLogger(logger, { maxKeys });
  }

  fail(key: string, reason: string, err: unknown): void {
    this.telemetry.error(reason);
    this.episodes.fail(key, 'scrape problem (logged once until it recovers)', { reason, err: describe(err) });
  }

  ok(key: string): void {
    this.episodes.recover(key, 'scrape problem recovered');
  }

  /** A key whose target is gone (container removed) ends silently: there is nothing to recover. */
  forget(key: string): void {
    this.episodes.forget(key);
  }

  isActive(key: string): boolean {
    return this.episodes.isActive(key);
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
