/**
 * Polls `probe` until it returns something other than undefined, or fails after `deadlineMs` with
 * the last error seen. Tests wait on conditions this way, never on fixed sleeps.
 */
export async function eventually<T>(deadlineMs: number, probe: () => T | undefined | Promise<T | undefined>, intervalMs = 100): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= until) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${deadlineMs} ms${last instanceof Error ? `: ${last.message}` : ''}`);
}
