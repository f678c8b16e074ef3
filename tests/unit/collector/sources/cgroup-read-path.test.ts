import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  blkioFromFiles, cpuFromFiles, memoryFromFiles, pidsFromFiles, type CgroupLocation, type Controller, type ControllerDir,
  type FileRead,
} from '../../../../core/cgroup';
import { mapCgroupReadings, type CgroupReadings } from '../../../../collector/sources/cgroup/map';
import { NetDevReader } from '../../../../collector/sources/cgroup/netdev';
import { planRun, readPlanned } from '../../../../collector/sources/cgroup/plan';
import { parseNetDev } from '../../../../collector/scrape/procfs';
import { discovered } from '../helpers';

/**
 * The scrape reads bytes into reused slots; core/cgroup parses text. Both must give the same
 * samples and the same problems, for the recorded files and for damaged copies of them.
 */
const GOLDEN = join(process.cwd(), 'tests', 'golden', 'collector');
const FOLDERS: ReadonlyArray<readonly [string, 1 | 2]> = [['cgroup/cs-golden-burn', 1], ['cgroup/cs-golden-mem', 1], ['cgroup-v2/cs-golden-v2', 2]];

type Files = Map<string, string>;

function recorded(folder: string): Files {
  const dir = join(GOLDEN, folder);
  return new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

function flatLocation(version: 1 | 2): CgroupLocation {
  const cg: ControllerDir = { version, dir: '/cg', mountPoint: '/', path: '/cg' };
  const dirs = new Map<Controller, ControllerDir>((['memory', 'cpu', 'cpuacct', 'cpuset', 'blkio', 'pids'] as const).map((c) => [c, cg]));
  return { mode: version === 2 ? 'v2' : 'v1', dirs, unified: version === 2 ? cg : undefined };
}

const reader = (files: Files) => (path: string): FileRead => {
  const text = files.get(path.slice('/cg/'.length));
  return text === undefined ? { ok: false, problem: { file: path, reason: 'missing', detail: 'ENOENT' } } : { ok: true, text };
};

/** The same files through core's text parsers (what the scrape read before it parsed bytes). */
function viaCore(files: Files, version: 1 | 2, plan: ReturnType<typeof planRun>): Omit<CgroupReadings, 'network'> {
  const read = reader(files);
  const set = (names: readonly string[]): Map<string, FileRead> => new Map(names.map((n) => [n, read(`/cg/${n}`)]));
  const v1 = version === 1;
  const cpuNames = v1 ? ['cpu.stat', 'cpu.cfs_quota_us', 'cpu.cfs_period_us', 'cpu.shares'] : ['cpu.stat', 'cpu.max', 'cpu.weight'];
  const acctNames = files.has('cpuacct.usage_user') ? ['cpuacct.usage', 'cpuacct.usage_user', 'cpuacct.usage_sys'] : ['cpuacct.usage', 'cpuacct.stat'];
  const memNames = v1
    ? ['memory.usage_in_bytes', 'memory.stat', 'memory.failcnt', 'memory.oom_control', 'memory.limit_in_bytes', 'memory.memsw.limit_in_bytes']
    : ['memory.current', 'memory.stat', 'memory.events', 'memory.swap.current', 'memory.max', 'memory.swap.max'];
  const recursive = files.has('blkio.throttle.io_service_bytes_recursive') ? '_recursive' : '';
  const blkioNames = v1 ? [`blkio.throttle.io_service_bytes${recursive}`, `blkio.throttle.io_serviced${recursive}`] : ['io.stat'];
  assert.ok(plan.cpu && plan.memory);
  return {
    cpu: cpuFromFiles(version, { dir: '/cg', files: set(cpuNames) }, { dir: '/cg', files: v1 ? set(acctNames) : new Map() }),
    memory: memoryFromFiles(version, '/cg', set(memNames)),
    blkio: blkioFromFiles(version, '/cg', set(blkioNames)),
    pids: pidsFromFiles('/cg', set(['pids.current', 'pids.max'])),
    cpusetCpus: 2,
  };
}

const problems = (r: Omit<CgroupReadings, 'network'>): string[] =>
  [r.cpu, r.memory, r.blkio, r.pids].flatMap((c) => c?.problems ?? []).map((p) => `${p.file} ${p.reason} ${p.detail}`).sort();

function assertSame(files: Files, version: 1 | 2, what: string): void {
  const plan = planRun(flatLocation(version), (p) => files.has(p.slice('/cg/'.length)));
  const fast = readPlanned(plan, reader(files), true, 2);
  const core = viaCore(files, version, plan);
  const c = discovered('a');
  assert.deepEqual(mapCgroupReadings({ ...fast, network: null }, c, (k) => k), mapCgroupReadings({ ...core, network: null }, c, (k) => k), what);
  assert.deepEqual(problems(fast), problems(core), `${what}: problems`);
}

/** Damage applied to one file at a time: what a kernel never writes, but a broken mount might. */
const DAMAGE: ReadonlyArray<readonly [string, (t: string) => string | undefined]> = [
  ['missing', () => undefined],
  ['empty', () => ''],
  ['garbage', () => 'garbage\n'],
  ['padded', (t) => `  ${t.replace(/ /g, '   ')}\t\n`],
  ['huge numbers', (t) => t.replace(/\d+/g, (d) => `${d}987654321098765432`)],
  ['negative', (t) => t.replace(/(^| )(\d)/gm, '$1-$2')],
  ['max', () => 'max\n'],
  ['no trailing newline', (t) => t.trimEnd()],
  ['unicode space', (t) => t.replace(/\n/g, '\u00a0\n')],
  ['crlf', (t) => t.replace(/\n/g, '\r\n')],
  ['decimal', (t) => t.replace(/(\d)$/m, '$1.5')],
];

describe('cgroup source read path (bytes and slots) against core/cgroup', () => {
  for (const [folder, version] of FOLDERS) {
    it(`gives core's samples and problems for ${folder}, whole and with each file damaged`, () => {
      const files = recorded(folder);
      assertSame(files, version, 'as recorded');
      for (const name of files.keys()) {
        for (const [how, damage] of DAMAGE) {
          const copy = new Map(files);
          const text = damage(files.get(name) ?? '');
          if (text === undefined) copy.delete(name);
          else copy.set(name, text);
          assertSame(copy, version, `${name} ${how}`);
        }
      }
    });
  }

  it('keeps limits between spec refreshes and re-reads them when due', () => {
    const files = recorded('cgroup/cs-golden-burn');
    const plan = planRun(flatLocation(1), () => true);
    const first = readPlanned(plan, reader(files), true, null).memory?.limitBytes;
    files.set('memory.limit_in_bytes', '1048576\n');
    assert.equal(readPlanned(plan, reader(files), false, null).memory?.limitBytes, first);
    assert.equal(readPlanned(plan, reader(files), true, null).memory?.limitBytes, 1_048_576);
  });
});

describe('NetDevReader', () => {
  const recordedNetDev = readFileSync(join(GOLDEN, 'cgroup', 'cs-golden-burn', 'net.dev'), 'utf8');
  const variants = [
    recordedNetDev,
    recordedNetDev.replace(/eth0/g, 'veth1'),
    `${recordedNetDev}  eth1: ${'7 '.repeat(16)}\n`,
    `${recordedNetDev}  eth1: 1 2 3\n`,
    `${recordedNetDev}  eth1: ${'1e3 '.repeat(16)}\n`,
    `${recordedNetDev}  eth1: ${'12345678901234567890 '.repeat(16)}\n`,
    `${recordedNetDev}  ethé: ${'1 '.repeat(16)}\n`,
    'garbage',
    recordedNetDev.split('\n').slice(0, 2).join('\n'),
    '',
  ];

  it('parses every variant as parseNetDev does, one reader reused across them', () => {
    const net = new NetDevReader();
    for (const text of variants) {
      const buf = Buffer.from(`${text}${'\n'.repeat(3)}stale bytes past the end`);
      const got = net.parse(buf, Buffer.byteLength(text));
      const want = parseNetDev(text);
      assert.deepEqual(got === undefined ? undefined : new Map([...got].map(([k, v]) => [k, { ...v }])), want, JSON.stringify(text.slice(-60)));
    }
  });

  it('reads the recorded file only from its bytes, without the string fallback', () => {
    assert.ok(existsSync(join(GOLDEN, 'cgroup', 'cs-golden-burn', 'net.dev')));
    const got = new NetDevReader().parse(Buffer.from(recordedNetDev), Buffer.byteLength(recordedNetDev));
    assert.ok(got && got.size > 0 && !got.has('lo'));
  });
});
