import pino, { type Logger } from 'pino';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/**
 * Structured logs as JSON lines on stderr (stdout stays free for command output such as
 * `config validate` or `autoscale simulate`). Components get `logger.child({ component })`.
 */
export function createLogger(level: LogLevel = 'info', destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino({ level, base: { service: 'cargoscope' } }, destination);
}

/** A logger that writes nothing, for tests and pure code paths. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export interface EpisodeLoggerOptions {
  /**
   * Episodes tracked at once (keys are often per target: a container, an endpoint), so a churning
   * node cannot grow the map. Past it a new key is neither tracked nor logged; callers that count
   * occurrences elsewhere (errors_total) still count it. Unbounded when not given.
   */
  readonly maxKeys?: number;
}

/**
 * Logs a condition once per episode instead of once per occurrence: the first failure is logged
 * at warn, repeats are only counted, and recovery is logged with how many repeats were folded.
 */
export class EpisodeLogger {
  private readonly active = new Map<string, number>();
  private readonly maxKeys: number;

  constructor(
    private readonly logger: Logger,
    options: EpisodeLoggerOptions = {},
  ) {
    this.maxKeys = options.maxKeys ?? Number.POSITIVE_INFINITY;
  }

  /** True when this failure started an episode (and so was logged). */
  fail(key: string, message: string, details: Record<string, unknown> = {}): boolean {
    const seen = this.active.get(key);
    if (seen !== undefined) {
      this.active.set(key, seen + 1);
      return false;
    }
    if (this.active.size >= this.maxKeys) return false;
    this.logger.warn({ ...details, episode: key }, message);
    this.active.set(key, 1);
    return true;
  }

  recover(key: string, message: string, details: Record<string, unknown> = {}): void {
    const seen = this.active.get(key);
    if (seen === undefined) return;
    this.active.delete(key);
    this.logger.info({ ...details, episode: key, occurrences: seen }, message);
  }

  /** Ends an episode without a recovery line: its target is gone, there is nothing to recover. */
  forget(key: string): void {
    this.active.delete(key);
  }

  isActive(key: string): boolean {
    return this.active.has(key);
  }

  /** Failures folded into the current episode of `key` (0 when none is active). */
  occurrences(key: string): number {
    return this.active.get(key) ?? 0;
  }
}
