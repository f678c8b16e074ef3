import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'cpuset', 'blkio', 'pids'] as const;

export function canRun(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse';
  if (!existsSync('/sys/fs/cgroup/memory/cgroup.procs')) return 'needs cgroup v1 memory hierarchy';
  return undefined;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestCgroup {
  readonly name: string;
  remove(): void;
}

/** Creates /sys/fs/cgroup/<controller>/<name> with the given files written, in every controller. */
export function makeCgroup(name: string, files: Record<string, string>): TestCgroup {
  for (const c of CONTROLLERS) mkdirSync(`/sys/fs/cgroup/${c}/${name}`, { recursive: true });
  if (files['cpuset.cpus'] !== undefined) writeFileSync(`/sys/fs/cgroup/cpuset/${name}/cpuset.mems`, readFileSync('/sys/fs/cgroup/cpuset/cpuset.mems', 'utf8'));
  for (const [file, value] of Object.entries(files)) {
    const controller = file.startsWith('cpu.') ? 'cpu' : file.split('.')[0] as string;
    writeFileSync(`/sys/fs/cgroup/${controller}/${name}/${file}`, value);
  }
  return {
    name,
    remove: () => {
      for (const c of CONTROLLERS) {
        try {
          rmdirSync(`/sys/fs/cgroup/${c}/${name}`);
        } catch {
          // already gone, or a straggler process still inside: reported by the next run's mkdir
        }
      }
    },
  };
}

/** Shell prefix that moves the shell into the cgroup ("" = the root cgroups) in every controller. */
export function enterCgroup(name: string): string {
  const sub = name === '' ? '' : `/${name}`;
  return CONTROLLERS.map((c) => `echo $$ > /sys/fs/cgroup/${c}${sub}/cgroup.procs`).join('; ');
}

/**
 * Runs `cmd` as a child in the cgroup. The test process itself never touches a FUSE mount:
 * a hung mount must time out a child, not the test runner.
 */
export function readIn(cgroup: string, cmd: string, timeoutMs = 5000): Promise<string> {
  return runIn(cgroup, `exec ${cmd}`, timeoutMs);
}

/** Runs a shell script in the cgroup (same rules as readIn). */
export function runIn(cgroup: string, script: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', `${enterCgroup(cgroup)}; ${script}`], { timeout: timeoutMs, encoding: 'utf8' }, (err, out, stderr) => {
      if (err !== null) reject(new Error(`${script.slice(0, 200)}: ${stderr || err.message}`));
      else resolve(out);
    });
  });
}

export function mountedAt(dir: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);
}

export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20)); // polling a condition, not sleeping for a result
  }
}

/** Real lxcfs (Debian's 5.0.3) at a temporary mount, as the reference. */
export async function startLxcfs(dir: string): Promise<ChildProcess | undefined> {
  if (!existsSync('/usr/bin/lxcfs')) return undefined;
  // Its own pidfile: the default one is locked by any lxcfs already running on the host.
  const child = spawn('/usr/bin/lxcfs', ['-f', '-p', `${dir}.pid`, dir], { stdio: 'ignore' });
  await waitFor(() => mountedAt(dir), `lxcfs mounted at ${dir}`);
  return child;
}

export async function stopLxcfs(child: ChildProcess | undefined, dir: string): Promise<void> {
  if (child === undefined) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  if (mountedAt(dir)) await new Promise((r) => execFile('umount', ['-l', dir], r));
}

export function field(meminfo: string, label: string): number {
  const m = new RegExp(`^${label.replace(/[()]/g, '\\$&')}:\\s+(\\d+)`, 'm').exec(meminfo);
  return m === null ? NaN : Number(m[1]);
}
