/**
 * One drill at a time per state directory (two would stop each other's services), robust to a
 * session that was killed: CI runs after the session's processes are gone, and their pids may
 * have been handed to other processes since. A lock therefore names its holder by pid AND the
 * kernel's start time of that pid (/proc/<pid>/stat field 22), and it is held only while that
 * very process lives. It also lists the cargoscope processes the drill spawned, so the next drill
 * can end the ones a SIGKILLed drill left behind (they would hold the drill's ports).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ProcessId {
  readonly pid: number;
  /** Clock ticks since boot when the process started; a reused pid has another. */
  readonly startTicks: number;
}

interface LockFile {
  readonly holder: ProcessId;
  readonly children: ProcessId[];
}

/** The start time of a live pid, or undefined when no such process exists. */
export function startTicks(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (comm) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]); // field 22 overall = index 19 after pid, comm
  return Number.isFinite(ticks) ? ticks : undefined;
}

export function alive(p: ProcessId): boolean {
  return p.pid > 0 && startTicks(p.pid) === p.startTicks;
}

function self(): ProcessId {
  const ticks = startTicks(process.pid);
  if (ticks === undefined) throw new Error('cannot read /proc/self/stat');
  return { pid: process.pid, startTicks: ticks };
}

/** What a lock file says; a file of the earlier format (a bare pid) or garbage names no live holder. */
export function parseLock(text: string): LockFile | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockFile>;
    if (typeof v.holder?.pid !== 'number' || typeof v.holder.startTicks !== 'number' || !Array.isArray(v.children)) return undefined;
    return { holder: v.holder, children: v.children.filter((c) => typeof c.pid === 'number' && typeof c.startTicks === 'number') };
  } catch {
    return undefined;
  }
}

export class DrillLock {
  private readonly children: ProcessId[] = [];

  private constructor(private readonly file: string, private readonly holder: ProcessId) {}

  /**
   * Takes the lock in `dir`. Throws when a live drill holds it; a stale lock (holder gone, or
   * its pid now someone else's) is taken over after SIGKILLing the children it lists that still
   * run (matched by start time, so no other process is ever signalled). Returns what was ended.
   */
  static acquire(dir: string): { lock: DrillLock; ended: ProcessId[] } {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'drill.lock');
    const ended: ProcessId[] = [];
    if (existsSync(file)) {
      const old = parseLock(readFileSync(file, 'utf8'));
      if (old && alive(old.holder)) throw new Error(`another drill (pid ${old.holder.pid}) holds ${file}`);
      for (const c of old?.children ?? []) {
        if (!alive(c)) continue;
        try {
          process.kill(c.pid, 'SIGKILL');
          ended.push(c);
        } catch {
          // Exited between the check and the kill: nothing left to end.
        }
      }
    }
    const lock = new DrillLock(file, self());
    lock.write();
    return { lock, ended };
  }

  /** Records a spawned process so a later drill can end it if this one is killed. */
  track(pid: number | undefined): void {
    const ticks = pid === undefined ? undefined : startTicks(pid);
    if (pid === undefined || ticks === undefined) return;
    this.children.push({ pid, startTicks: ticks });
    this.write();
  }

  release(): void {
    const now = existsSync(this.file) ? parseLock(readFileSync(this.file, 'utf8')) : undefined;
    if (now?.holder.pid === this.holder.pid && now.holder.startTicks === this.holder.startTicks) rmSync(this.file, { force: true });
  }

  /** Write-then-rename: a drill killed mid-write leaves the old lock or the new one, never half. */
  private write(): void {
    const body: LockFile = { holder: this.holder, children: this.children.filter(alive) };
    const tmp = `${this.file}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify(body));
    renameSync(tmp, this.file);
  }
}
