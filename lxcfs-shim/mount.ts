import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** Mount options: the kernel takes the connection from fd=3 of the mount process. */
export function fuseMountArgs(mountDir: string, fsName = 'cargoscope-shim'): string[] {
  // -i: never hand over to a /sbin/mount.fuse helper, which would treat fsName as a program.
  return ['-i', '-t', 'fuse', '-o', 'fd=3,rootmode=40000,user_id=0,group_id=0,allow_other,ro', fsName, mountDir];
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8' }, (err, _out, stderr) => {
      if (err !== null) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve();
    });
  });
}

/** Runs mount(8) with the /dev/fuse descriptor passed as its fd 3. */
export function mountFuse(fuseFd: number, mountDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // execFile cannot pass extra descriptors; spawn's stdio can.
    const child = spawn('mount', fuseMountArgs(mountDir), { stdio: ['ignore', 'ignore', 'pipe', fuseFd] });
    let err = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mount ${mountDir} failed (${code}): ${err.trim()}`))));
  });
}

/** Whether something is mounted exactly at `dir` (e.g. a stale mount of a crashed holder). */
export async function isMountPoint(dir: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((l) => l.split(' ')[4] === dir);
}

/** Unmounts, lazily if busy (a container still holds a bind mount of one of our files). */
export async function unmount(dir: string): Promise<void> {
  try {
    await run('umount', [dir]);
  } catch {
    await run('umount', ['-l', dir]);
  }
}
