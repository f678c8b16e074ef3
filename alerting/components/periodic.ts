import type { Logger } from 'pino';

/**
 * Runs `tick` every `intervalMs`, never overlapping itself (a slow tick delays the next one rather
 * than piling up), and stops cleanly: `stop` aborts the running tick's signal and waits for it.
 */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: (signal: AbortSignal) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(firstDelayMs = this.intervalMs): void {
    this.schedule(firstDelayMs);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = Date.now();
      this.running = this.tick(this.abort.signal)
        .catch((err: unknown) => this.logger.error({ err }, 'periodic evaluation failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule(Math.max(0, this.intervalMs - (Date.now() - started)));
        });
    }, ms);
  }

  async stop(deadline: number): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort(new Error('shutting down'));
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise<void>((r) => { timer = setTimeout(r, Math.max(0, deadline - Date.now())); })]);
    clearTimeout(timer);
  }
}
