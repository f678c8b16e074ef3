/**
 * The alert lifecycle of Prometheus, as a pure transition per evaluation:
 * inactive → pending (condition true) → firing (after `for`) → resolved (condition false, after
 * `keep_firing_for`). A pending alert whose condition ends is simply forgotten; a resolved alert
 * that becomes true again starts over as a new pending alert.
 */

export type AlertPhase = 'pending' | 'firing' | 'resolved';

export interface AlertTimes {
  readonly phase: AlertPhase;
  readonly activeAtMs: number;
  readonly firedAtMs?: number;
  readonly resolvedAtMs?: number;
  /** When the condition last stopped holding while firing (keep_firing_for counts from here). */
  readonly keepFiringSinceMs?: number;
}

export interface Timing {
  readonly forMs: number;
  readonly keepFiringForMs: number;
}

/** Next state of one alert; `undefined` means inactive (nothing to keep). */
export function nextAlertState(prev: AlertTimes | undefined, active: boolean, nowMs: number, t: Timing): AlertTimes | undefined {
  if (!prev || prev.phase === 'resolved') {
    if (!active) return prev; // a resolved alert stays resolved (kept for re-sending until it is dropped)
    return t.forMs === 0 ? { phase: 'firing', activeAtMs: nowMs, firedAtMs: nowMs } : { phase: 'pending', activeAtMs: nowMs };
  }
  if (prev.phase === 'pending') {
    if (!active) return undefined;
    return nowMs - prev.activeAtMs >= t.forMs ? { phase: 'firing', activeAtMs: prev.activeAtMs, firedAtMs: nowMs } : prev;
  }
  // firing
  if (active) return prev.keepFiringSinceMs === undefined ? prev : { phase: 'firing', activeAtMs: prev.activeAtMs, firedAtMs: prev.firedAtMs ?? prev.activeAtMs };
  const since = prev.keepFiringSinceMs ?? nowMs;
  if (nowMs - since < t.keepFiringForMs) return { ...prev, keepFiringSinceMs: since };
  return { phase: 'resolved', activeAtMs: prev.activeAtMs, firedAtMs: prev.firedAtMs ?? prev.activeAtMs, resolvedAtMs: nowMs };
}

export type Comparator = (value: number, limit: number) => boolean;

export const COMPARATORS: Record<'>' | '>=' | '<' | '<=', Comparator> = {
  '>': (v, l) => v > l,
  '>=': (v, l) => v >= l,
  '<': (v, l) => v < l,
  '<=': (v, l) => v <= l,
};

/** Hysteresis: inactive alerts need `threshold`; active ones hold until `clear` is crossed. */
export function conditionHolds(cmp: Comparator, value: number, wasActive: boolean, threshold: number, clear: number): boolean {
  return cmp(value, wasActive ? clear : threshold);
}
