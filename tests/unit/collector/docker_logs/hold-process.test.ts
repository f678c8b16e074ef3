import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, fstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileHolder, type Snapshot } from '../../../../collector/sources/docker_logs/held-files';
import { HoldProcess } from '../../../../collector/sources/docker_logs/hold-process';

/** Docker's rename rotation with max-file=2, `rounds` times, 50 ms apart, in a shell. */
const ROTATE = `
live="$1"; rounds="$2"; i=0
while [ "$i" -lt "$rounds" ]; do
  i=$((i + 1)); sleep 0.05
  rm -f "$live.1"; mv "$live" "$live.1"; printf 'line %s\\n' "$i" > "$live"
done`;

/** Whether the process has `path` open (its descriptors, read from /proc). */
function holdsFile(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(path);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** Running (a zombie whose parent is gone has ended: it holds no file). */
function isAlive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
}

function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => (cond() ? resolve() : Date.now() > end ? reject(new Error('timed out')) : void setTimeout(tick, 10));
    tick();
  });
}

describe('docker_logs hold process', () => {
  it('holds every rotated file while the main thread is blocked, so each can be read after Docker deleted it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cs-hold-process-'));
    const live = join(dir, 'x-json.log');
    await writeFile(live, 'line 0\n');
    const problems: string[] = [];
    const hold = new HoldProcess({ failed: (err) => problems.push(String(err)), problem: (kind, _path, message) => problems.push(`${kind}: ${message}`) });
    const holder = new FileHolder({ wanted: () => true, room: () => 100, full: () => assert.fail('bound hit') }, 2);
    let snapshots = 0;
    const token = hold.watch(live, 2, 100, (s: Snapshot) => {
      snapshots++;
      holder.accept(s);
    });
    assert.ok(token !== undefined, 'the process started');
    await until(() => holder.size === 1, 5000); // its first look holds the live file
    // Blocks this thread's event loop for the whole run: only the hold process can open in time.
    execFileSync('sh', ['-c', ROTATE, 'rotate', live, '6']);
    await until(() => holder.size === 7, 5000);
    const { files } = await holder.take(() => true, undefined, true);
    const contents = await Promise.all(files.map((f) => readFile(f.fh, 'utf8')));
    assert.deepEqual(contents, [0, 1, 2, 3, 4, 5, 6].map((i) => `line ${i}\n`), 'every generation, oldest first, though only two exist now');
    assert.ok(snapshots >= 2, 'sent as they appeared');
    await Promise.all(files.map((f) => f.close()));
    hold.unwatch(token);
    await hold.close();
    assert.deepEqual(problems, []);
  });

  it('hands over descriptors of our own: they stay open after it exits, and it keeps no copy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cs-hold-process-'));
    const live = join(dir, 'x-json.log');
    await writeFile(live, 'a\n');
    const hold = new HoldProcess({ failed: (err) => assert.fail(String(err)), problem: (_k, _p, message) => assert.fail(message) });
    await hold.start();
    const pid = hold.pid as number;
    const fds: number[] = [];
    hold.watch(live, 2, 100, (s) => fds.push(...s.opened.map((f) => f.fd)));
    await until(() => fds.length === 1, 5000);
    await until(() => !holdsFile(pid, live), 5000); // released once we had our own
    await hold.close();
    const [fd] = fds as [number];
    assert.equal(fstatSync(fd).size, 2, 'still open after the hold process exited');
    closeSync(fd);
  });

  it('exits when the collector that started it is killed, so nothing stays held', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cs-hold-process-'));
    const live = join(dir, 'x-json.log');
    await writeFile(live, 'a\n');
    const module = join(__dirname, '../../../../collector/sources/docker_logs/hold-process.js');
    // A stand-in collector: starts the hold process, prints its pid once the first file arrived
    // (the watch is live), and waits to be killed.
    const script = `const { HoldProcess } = require(${JSON.stringify(module)});
      const hold = new HoldProcess({ failed() {}, problem() {} });
      setInterval(() => {}, 1000);
      let told = false;
      hold.start().then(() => hold.watch(${JSON.stringify(live)}, 2, 100, () => { if (!told) console.log(hold.pid); told = true; }));`;
    const collector = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let pid: number | undefined;
    try {
      pid = await new Promise<number>((resolve) => collector.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
      assert.ok(isAlive(pid), 'the hold process runs while the collector does');
      collector.kill('SIGKILL');
      await until(() => !isAlive(pid as number), 5000);
    } finally {
      collector.kill('SIGKILL'); // a failed test leaves no stand-in behind
      if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('sends each file once, and closes what arrives after unwatch', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cs-hold-process-'));
    const live = join(dir, 'x-json.log');
    await writeFile(live, 'a\n');
    const hold = new HoldProcess({ failed: (err) => assert.fail(String(err)), problem: (_k, _p, message) => assert.fail(message) });
    const seen: string[] = [];
    const token = hold.watch(live, 2, 100, (s) => {
      for (const f of s.opened) seen.push(`${f.devIno}@${f.birthNs}`); // inodes are reused
      new FileHolder({ wanted: () => false, room: () => 0, full: () => undefined }, 2).accept(s); // closes them
    });
    assert.ok(token !== undefined);
    await until(() => seen.length === 1, 5000);
    execFileSync('sh', ['-c', ROTATE, 'rotate', live, '2']);
    await until(() => seen.length === 3, 5000);
    await new Promise((r) => setTimeout(r, 200)); // renames reported again: nothing new to send
    assert.equal(new Set(seen).size, 3, 'three files, each sent once');
    assert.equal(seen.length, 3);
    hold.unwatch(token);
    execFileSync('sh', ['-c', ROTATE, 'rotate', live, '1']);
    await hold.close();
    assert.equal(seen.length, 3, 'nothing handed over after unwatch');
  });
});
