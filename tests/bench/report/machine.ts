/**
 * The machine line of BENCHMARKS.md: cores, memory, and the versions of what the benches run
 * (ours and the peers'). Versions the project pins come from its own build files.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The first line a command prints on stdout or stderr (java and rsyslogd use stderr). */
function firstLine(cmd: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync('sh', ['-c', `${[cmd, ...args].join(' ')} 2>&1`], { encoding: 'utf8', timeout: 10_000 }).split('\n')[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

function pinned(root: string, file: string, pattern: RegExp): string | undefined {
  const p = path.join(root, file);
  if (!existsSync(p)) return undefined;
  return pattern.exec(readFileSync(p, 'utf8'))?.[1];
}

export function machine(root: string): string {
  const cpus = os.cpus();
  const rsyslogd = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));
  const versions: Array<[string, string | undefined]> = [
    ['node', process.version],
    ['kernel', os.release()],
    ['docker', firstLine('docker', ['--version'])?.replace(/^Docker version /, '')],
    ['java', firstLine('java', ['-version'])],
    ['kafka', pinned(root, 'services/kafka/pom.xml', /kafka_2\.13<\/artifactId>\s*<version>([^<]+)/)],
    ['elasticsearch', pinned(root, 'services/elasticsearch/pom.xml', /<elasticsearch\.version>([^<]+)/)],
    ['cadvisor', pinned(root, 'services/cadvisor/go.mod', /github\.com\/google\/cadvisor (v\S+)/)],
    ['rsyslogd', rsyslogd ? firstLine(rsyslogd, ['-v'])?.replace(/^rsyslogd\s*/, '') : undefined],
    ['lxcfs', firstLine('lxcfs', ['--version'])?.replace(/"/g, '')],
  ];
  const known = versions.map(([name, v]) => `${name} ${v ?? 'not found'}`);
  return `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; ${known.join('; ')}`;
}
