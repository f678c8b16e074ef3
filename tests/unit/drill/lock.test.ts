import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DrillLock, parseLock, startTicks } from '../../drill/lock';

const exited = (pid: number): boolean => startTicks(pid) === undefined || /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

describe('drill lock (tests/drill/lock)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'drill-lock-'));
  });

  it('refuses a second drill while the holder lives, and frees the file on release', () => {
    const { lock } = DrillLock.acquire(dir);
    assert.throws(() => DrillLock.acquire(dir), /another drill \(pid \d+\) holds/);
    lock.release();
    assert.equal(existsSync(path.join(dir, 'drill.lock')), false);
    DrillLock.acquire(dir).lock.release();
  });

  it('takes over a lock whose pid now belongs to another process (start time differs)', () => {
    const ticks = startTicks(process.pid);
    assert.ok(ticks !== undefined);
    // This very process, as a killed session's pid handed out again: alive, but not the holder.
    writeFileSync(path.join(dir, 'drill.lock'), JSON.stringify({ holder: { pid: process.pid, startTicks: ticks + 1 }, children: [{ pid: process.pid, startTicks: ticks + 1 }] }));
    const { lock, ended } = DrillLock.acquire(dir);
    assert.deepEqual(ended, [], 'a reused pid is never signalled');
    lock.release();
  });

  it('takes over a lock of the earlier format (a bare pid) and a garbled one', () => {
    writeFileSync(path.join(dir, 'drill.lock'), String(process.pid));
    DrillLock.acquire(dir).lock.release();
    writeFileSync(path.join(dir, 'drill.lock'), '{"holder":');
    DrillLock.acquire(dir).lock.release();
    assert.equal(parseLock('12345'), undefined);
  });

  it('ends the processes a killed drill left running, matched by pid and start time', async () => {
    const { lock } = DrillLock.acquire(dir);
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    const gone = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    lock.track(child.pid);
    // Simulate the drill being SIGKILLed: its lock stays, naming a holder that is gone.
    const text = JSON.parse(readFileSync(path.join(dir, 'drill.lock'), 'utf8')) as { holder: { pid: number } };
    writeFileSync(path.join(dir, 'drill.lock'), JSON.stringify({ ...text, holder: { pid: 2 ** 22 + 1, startTicks: 1 } }));
    const { lock: next, ended } = DrillLock.acquire(dir);
    assert.deepEqual(ended.map((p) => p.pid), [child.pid]);
    assert.equal(await gone, 'SIGKILL');
    assert.ok(child.pid !== undefined && exited(child.pid));
    next.release();
  });
});
