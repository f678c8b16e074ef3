/**
 * Pieces of docker-logs.bench.ts: the json-file inputs (a testbox `logwriter` container run to
 * completion and held), /proc sampling of a measured process, Kafka offset polling, and the
 * rsyslog (imfile → omkafka) peer's config.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { Partitioners, type Admin } from 'kafkajs';
import { decodeEvent } from '../../core/transport';

const run = promisify(execFile);
export const BENCH_LABEL = 'io.cargoscope.bench=docker-logs';
export const IMAGE = process.env.CARGOSCOPE_TESTBOX_IMAGE ?? 'cargoscope/testbox:latest';
const TICKS_PER_SEC = 100;
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** One json-file log written by Docker: `lines` lines of `lineBytes` bytes each (newline included). */
export interface LogInput {
  readonly containerId: string;
  readonly logPath: string;
  readonly lines: number;
  readonly lineBytes: number;
  readonly fileBytes: number;
  /** What the last line's message starts with (logwriter numbers its lines). */
  readonly lastPrefix: string;
}

/**
 * Runs `logwriter` in a container with one json-file big enough never to rotate, waits until its
 * last line is on disk, and leaves the container running (`--hold`): the docker_logs source only
 * follows containers discovery lists as running.
 */
export async function prepareInput(lines: number, lineBytes: number, timeoutMs = 600_000): Promise<LogInput> {
  const id = await docker('run', '-d', '--label', BENCH_LABEL, '--log-driver', 'json-file', '--log-opt', 'max-size=8g', '--log-opt', 'max-file=1',
    IMAGE, 'logwriter', '--count', String(lines), '--length', String(lineBytes - 1), '--prefix', 'line', '--hold');
  const logPath = await docker('inspect', '-f', '{{.LogPath}}', id);
  const lastPrefix = `line ${String(lines).padStart(9, '0')}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (tailOf(logPath, 4096).includes(`"log":"${lastPrefix}`)) break;
    if (Date.now() > deadline) throw new Error(`logwriter did not write ${lines} lines to ${logPath} in ${timeoutMs} ms`);
    await sleep(250);
  }
  return { containerId: id, logPath, lines, lineBytes, fileBytes: statSync(logPath).size, lastPrefix };
}

function tailOf(file: string, bytes: number): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return ''; // not created yet
  }
  try {
    const size = statSync(file).size;
    const buf = Buffer.alloc(Math.min(bytes, size));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export async function removeBenchContainers(): Promise<void> {
  const ids = await docker('ps', '-aq', '--filter', `label=${BENCH_LABEL}`);
  if (ids) await docker('rm', '-f', ...ids.split('\n'));
}

/**
 * CPU seconds (utime + stime, all threads) and memory of a process and its descendants (the
 * collector's hold process), read from /proc: a peer is compared with all that ships the logs.
 * Peak RSS is the sum of each process's own peak, so it can overstate the tree's peak, never hide it.
 */
export interface ProcSample {
  readonly atMs: number;
  readonly cpuSecs: number;
  readonly rssMiB: number;
  readonly hwmMiB: number;
}

export function sampleProc(pid: number): ProcSample | undefined {
  const own = sampleOne(pid);
  if (!own) return undefined; // exited
  let sample = own;
  for (const child of descendants(pid)) {
    const c = sampleOne(child);
    if (c) sample = { atMs: sample.atMs, cpuSecs: sample.cpuSecs + c.cpuSecs, rssMiB: sample.rssMiB + c.rssMiB, hwmMiB: sample.hwmMiB + c.hwmMiB };
  }
  return sample;
}

function sampleOne(pid: number): ProcSample | undefined {
  try {
    const f = statFields(pid);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN) / 1024;
    return { atMs: Date.now(), cpuSecs: (Number(f[11]) + Number(f[12])) / TICKS_PER_SEC, rssMiB: kb('VmRSS'), hwmMiB: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** /proc/<pid>/stat after the command name: state is [0], ppid [1], utime [11], stime [12]. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Every process below `pid` (by parent pid; this kernel has no /proc/<pid>/task/<tid>/children). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      parentOf.set(Number(name), Number(statFields(Number(name))[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  for (let frontier = [pid]; frontier.length > 0; ) {
    const next = [...parentOf].filter(([, parent]) => frontier.includes(parent)).map(([child]) => child);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/** High watermarks by partition. */
export async function topicOffsets(admin: Admin, topic: string): Promise<Map<number, number>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
}

export const sumOffsets = (m: ReadonlyMap<number, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

/** The partition kafkajs's default (Java-compatible murmur2) partitioner picks for `key`. */
export function partitionOf(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return Partitioners.DefaultPartitioner()({ topic: 't', partitionMetadata, message: { key, value: null } });
}

/** The last `count` message values of one partition, through kcat (gzip handled by librdkafka). */
export async function lastMessages(broker: string, topic: string, partition: number, count: number): Promise<Buffer[]> {
  // Values are binary (logs wire format 2): each is framed by its length, `<n>\n<n bytes>`.
  // -c as well as -e: a partition still being written has no end to reach, and kcat read on
  // past the newest `count` messages until the output outgrew maxBuffer (seen on a busy machine).
  const { stdout } = await run('kcat', ['-C', '-b', broker, '-t', topic, '-p', String(partition), '-o', String(-count), '-c', String(count), '-e', '-q', '-f', '%S\n%s'],
    { maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' });
  const out: Buffer[] = [];
  for (let pos = 0; pos < stdout.length;) {
    const nl = stdout.indexOf(0x0a, pos);
    if (nl < 0) break;
    const n = Number(stdout.toString('latin1', pos, nl));
    out.push(stdout.subarray(nl + 1, nl + 1 + n));
    pos = nl + 1 + n;
  }
  return out;
}

/** Whether cargoscope's newest batch for `containerId` in that partition ends with the input's last line. */
export async function cargoscopeDone(broker: string, topic: string, partition: number, input: LogInput): Promise<boolean> {
  for (const value of (await lastMessages(broker, topic, partition, 3)).reverse()) {
    const decoded = decodeEvent(value);
    if (!decoded.ok || decoded.event.type !== 'logs' || decoded.event.container.id !== input.containerId) continue;
    return decoded.event.records.at(-1)?.message.startsWith(input.lastPrefix) ?? false;
  }
  return false;
}

export interface RsyslogSettings {
  readonly broker: string;
  readonly topic: string;
  readonly file: string;
  readonly workDir: string;
  readonly key: string;
  readonly compression: string;
  /** gzip level, the same as cargoscope's (librdkafka's `compression.level`, a topic property). */
  readonly compressionLevel: number;
}

/**
 * rsyslog's usual way to ship a file to Kafka: imfile (inotify) reads every line from the start
 * (no state file yet), omkafka publishes each line as one message, raw (`%rawmsg%`, no JSON
 * parsing: less work than cargoscope does), gzip at the same level and acks=all like cargoscope, batched by
 * librdkafka; a LinkedList ruleset queue decouples reading from sending.
 */
export function rsyslogConfig(s: RsyslogSettings): string {
  return `global(workDirectory="${s.workDir}" maxMessageSize="64k")
module(load="imfile" mode="inotify")
module(load="omkafka")
template(name="raw" type="string" string="%rawmsg%")
input(type="imfile" file="${s.file}" tag="bench" ruleset="kafka" freshStartTail="off" reopenOnTruncate="off")
ruleset(name="kafka" queue.type="LinkedList" queue.size="200000" queue.dequeueBatchSize="2048" queue.workerThreads="1") {
  action(type="omkafka" broker=["${s.broker}"] topic="${s.topic}" key="${s.key}" template="raw"
    confParam=["compression.codec=${s.compression}", "queue.buffering.max.ms=5", "batch.num.messages=10000", "queue.buffering.max.kbytes=262144"]
    topicConfParam=["request.required.acks=-1", "compression.level=${s.compressionLevel}"])
}
`;
}

export function startRsyslog(conf: string, pidFile: string): ChildProcess {
  return spawn('rsyslogd', ['-n', '-f', conf, '-i', pidFile], { stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function stopChild(p: ChildProcess | undefined, graceMs = 15_000): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = once(p, 'exit');
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  const r = (v: number): number => +v.toPrecision(4);
  return { median: r(median), min: r(sorted[0] ?? NaN), max: r(sorted.at(-1) ?? NaN) };
}
