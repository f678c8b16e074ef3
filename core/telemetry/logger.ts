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

/**
 * Logs a condition once per episode instead of once per occurrence: the first failure is logged
 * at warn, repeats are only counted, and recovery is logged with how many repeats were folded.
 */
export class EpisodeLogger {
  private readonly active = new Map<string, number>();

  constructor(private readonly logger: Logger) {}

  fail(key: string, message: string, details: Record<string, unknown> = {}): void {
    const seen = this.active.get(key);
    if (seen === undefined) this.logger.warn({ ...details, episode: key }, message);
    this.active.set(key, (seen ?? 0) + 1);
  }

  recover(key: string, message: string): void {
    const seen = this.active.get(key);
    if (seen === undefined) return;
    this.active.delete(key);
    this.logger.info({ episode: key, occurrences: seen }, message);
  }
}
