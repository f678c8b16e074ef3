import type { FileCheckpoint } from './checkpoint-store';

/**
 * Pure decisions about which of a container's log files to read, from where. The tailer does the
 * I/O (listing siblings, opening, fingerprinting) and asks these functions what it means.
 */

/** A sibling as found on disk, oldest first (`.N` … `.1`, then the live file). */
export interface SiblingState {
  readonly dev: string;
  readonly ino: string;
  /** `dev:ino:fingerprint`; undefined while its first line is incomplete (only the live file). */
  readonly key: string | undefined;
}

export type ResumeStep = { readonly read: false } | { readonly read: true; readonly offset: number | 'end' };

export interface ResumePlan {
  /** One step per sibling, same order. */
  readonly steps: readonly ResumeStep[];
  /**
   * The container had checkpoints but none of its files is still there: files rotated away while
   * the collector was down are gone. Whatever is left is read from the start; the gap is logged.
   */
  readonly lostWhileDown: boolean;
}

/**
 * Where to resume a container on start:
 * - from the oldest sibling that has a checkpoint on, every checkpointed file is resumed at its
 *   offset (skipped when `done`) and every other one is read from the start. A newer file gets its
 *   checkpoint as soon as it is opened and held, while an older one may still be draining, so the
 *   newest checkpoint says nothing about the files before it; files rotated in while the collector
 *   was down have none and are read whole;
 * - siblings older than every checkpointed one were finished (their `done` entries pruned);
 * - no checkpoint at all: a container seen for the first time, read from the beginning of its
 *   oldest file (or, with `read_from: end`, from the end of the live one).
 */
export function planResume(siblings: readonly SiblingState[], checkpoints: ReadonlyMap<string, FileCheckpoint>, readFrom: 'beginning' | 'end'): ResumePlan {
  const checkpointOf = (s: SiblingState | undefined): FileCheckpoint | undefined => (s?.key === undefined ? undefined : checkpoints.get(s.key));
  const oldest = siblings.findIndex((s) => checkpointOf(s) !== undefined);
  if (oldest >= 0) {
    const steps = siblings.map((s, i): ResumeStep => {
      if (i < oldest) return { read: false };
      const cp = checkpointOf(s);
      if (!cp) return { read: true, offset: 0 };
      return cp.done ? { read: false } : { read: true, offset: cp.offset };
    });
    return { steps, lostWhileDown: false };
  }
  if (checkpoints.size > 0) return { steps: siblings.map(() => ({ read: true, offset: 0 })), lostWhileDown: true };
  if (readFrom === 'end') {
    return { steps: siblings.map((_, i) => (i === siblings.length - 1 ? { read: true, offset: 'end' } : { read: false })), lostWhileDown: false };
  }
  return { steps: siblings.map(() => ({ read: true, offset: 0 })), lostWhileDown: false };
}

export interface RotationDecision {
  /** Indexes (into the sibling list, oldest first) of files to open after the current one. */
  readonly open: readonly number[];
  /** The current file was not found among the siblings: files between it and the oldest one left may be gone. */
  readonly maybeLost: boolean;
}

/**
 * The live path no longer names the file being read: Docker renamed it to `.1` and created a new
 * one, possibly several times while we lagged. Everything newer than the current file, and not
 * already open, is opened now (held until drained) so later rotations cannot delete it under us.
 */
export function afterRotation(siblings: readonly SiblingState[], current: { readonly dev: string; readonly ino: string }, alreadyOpen: ReadonlySet<string>): RotationDecision {
  const at = siblings.findIndex((s) => s.dev === current.dev && s.ino === current.ino);
  const open: number[] = [];
  for (let i = at + 1; i < siblings.length; i++) {
    const s = siblings[i] as SiblingState;
    if (!alreadyOpen.has(`${s.dev}:${s.ino}`)) open.push(i);
  }
  return { open, maybeLost: at < 0 };
}

/** What is known of a container when its files are first opened. */
export interface FirstSight {
  /** Checkpoints exist: the files are resumed, and planResume judges what is missing. */
  readonly hasCheckpoints: boolean;
  /** The container's directory was created after this collector started: every line is ours to ship. */
  readonly bornAfterStart: boolean;
  /** How many files (live + rotated) were there. */
  readonly files: number;
  /** Docker's `max-file` for the container, when known. */
  readonly maxFile: number | undefined;
}

/**
 * A container born while we run, first opened with all `max-file` slots already filled: Docker
 * may have deleted its oldest files before we could open them (a fast writer on a loaded node).
 * Whether it did cannot be told from what is left, so a possible loss is reported (loud rather
 * than silent). Unknown `max-file` with any rotated file present errs the same way.
 */
export function maybeLostBeforeFirstSight(s: FirstSight): boolean {
  if (s.hasCheckpoints || !s.bornAfterStart || s.files < 2) return false;
  return s.maxFile === undefined || s.files >= s.maxFile;
}

/** Given-up files when more rotated files are open than allowed: the oldest ones, beyond the limit. */
export function overLimit(openRotated: number, maxOpenRotated: number): number {
  return Math.max(0, openRotated - maxOpenRotated);
}
