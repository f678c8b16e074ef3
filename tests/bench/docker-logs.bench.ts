/**
 * Issue 5's benchmark: Docker json-file logs → Kafka (acks=all, gzip), lines/s and MiB/s per core,
 * cargoscope (a real `cargoscope collector` process: docker_logs → topic sink keyed by container)
 * against rsyslog (imfile → omkafka) shipping the same file to the same broker, alternating in the
 * same run. Inputs are written once per line size by the testbox `logwriter` through dockerd
 * (untimed); each run ships the whole file to a fresh topic, timed from process start until every
 * line is in Kafka: rsyslog's topic holds N messages; cargoscope's newest batch for the container
 * ends with line N (one container → one partition, in order). CPU = utime+stime of the process
 * and its children (cargoscope's hold process), all threads, at that moment; RSS peak = VmHWM,
 * summed over them. MiB = log payload (lines incl. newline).
 *   node dist/tests/bench/docker-logs.bench.js [--sizes 256,1024] [--mib 400] [--rounds 3]
 *     [--only cargoscope|rsyslog] [--profile DIR (node --cpu-prof of the collector)] [--timeout-secs 300]
 *     [--compression gzip|none (both)] [--compression-level 1-9 (both; default: cargoscope's)] [--source-opts 'max_in_flight_bytes: 16777216'] [--sink-opts 'concurrency: 2']
 * Needs `bash scripts/services.sh up docker images kafka peers`. Last stdout line: one JSON object.
 */
import { rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawn, type ChildProcess } from 'node:child_process';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { kafkaSchema } from '../../core/config/schema';
import { BIN } from '../helpers/processes';
import {
  cargoscopeDone, partitionOf, prepareInput, removeBenchContainers, rsyslogConfig, sampleProc, sleep, startRsyslog, stats, stopChild,
  sumOffsets, topicOffsets, type LogInput, type ProcSample, type Stats,
} from './docker-logs-helpers';

const BROKER = process.env.CARGOSCOPE_KAFKA ?? '127.0.0.1:9092';
const DOCKER_ROOT = process.env.CARGOSCOPE_DOCKER_ROOT ?? '/var/lib/cargoscope/dev/docker';
const PARTITIONS = 6;
const POLL_MS = 100;
const MiB = 1024 * 1024;
const GOALS = { mibPerCore256: 15, vsRsyslog: 1.5, rssMiB: 200 } as const;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '256,1024' },
    mib: { type: 'string', default: '400' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
    profile: { type: 'string' },
    'timeout-secs': { type: 'string', default: '300' },
    /** Extra keys for the collector's docker_logs source / topic sink / kafka transport, as YAML flow pairs. */
    'source-opts': { type: 'string', default: '' },
    'sink-opts': { type: 'string', default: '' },
    compression: { type: 'string', default: 'gzip' },
    'compression-level': { type: 'string' },
  },
});
// Both contenders gzip at one level: cargoscope's default unless one is given.
const GZIP_LEVEL = Number(values['compression-level'] ?? kafkaSchema.parse({}).compression_level);
const SIZES = values.sizes.split(',').map(Number);
const ROUNDS = Number(values.rounds);
const TIMEOUT_MS = Number(values['timeout-secs']) * 1000;
const CONTENDERS = (['cargoscope', 'rsyslog'] as const).filter((c) => !values.only || values.only === c);
type Contender = (typeof CONTENDERS)[number];
const extra = (opts: string): string => (opts ? `, ${opts}` : '');
const log = (line: string): void => void process.stderr.write(`[docker-logs] ${line}\n`);

interface RunFigures {
  readonly wallSecs: number;
  readonly firstDataSecs: number;
  readonly cpuSecs: number;
  readonly peakRssMiB: number;
  readonly linesPerSec: number;
  readonly mibPerSec: number;
  readonly mibPerCoreSec: number;
}

/** What the measuring loop needs to know of a contender's process. */
interface Started {
  readonly child: ChildProcess;
  readonly describe: () => string;
  readonly cleanup: () => Promise<void>;
}

function startContender(who: Contender, input: LogInput, topic: string, dir: string): Started {
  if (who === 'rsyslog') {
    const conf = path.join(dir, 'rsyslog.conf');
    writeFileSync(conf, rsyslogConfig({ broker: BROKER, topic, file: input.logPath, workDir: dir, key: input.containerId, compression: values.compression, compressionLevel: GZIP_LEVEL }));
    const child = startRsyslog(conf, path.join(dir, 'rsyslogd.pid'));
    let out = '';
    const keep = (chunk: Buffer): void => void (out = (out + chunk.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    return { child, describe: () => out, cleanup: () => stopChild(child) };
  }
  const yaml = [
    'node: bench', 'data_dir: data', 'shutdown_timeout_secs: 5', 'api: { enabled: false }', 'telemetry: { log_level: warn }',
    `transport: { type: kafka, kafka: { brokers: ["${BROKER}"], topic_partitions: ${PARTITIONS}, compression: ${values.compression}, compression_level: ${GZIP_LEVEL} } }`,
    'sources:', `  logs: { type: docker_logs, docker_root: "${DOCKER_ROOT}", discovery: { mode: docker }${extra(values['source-opts'])} }`,
    'sinks:', `  out: { type: topic, inputs: [logs], topic: "${topic}", key: container${extra(values['sink-opts'])} }`, '',
  ].join('\n');
  const conf = path.join(dir, 'collector.yaml');
  writeFileSync(conf, yaml);
  // --cpu-prof is refused in NODE_OPTIONS, so the flags go on the command line.
  const flags = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values.profile)}`] : [];
  const child = spawn(process.execPath, [...flags, BIN, 'collector', '--config', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => void (err = (err + chunk.toString()).slice(-4000)));
  return { child, describe: () => err, cleanup: () => stopChild(child) };
}

/** Polls offsets and /proc until every line of `input` is in `topic`; returns the sample of that moment. */
async function awaitDelivered(who: Contender, admin: Admin, topic: string, input: LogInput, started: Started, t0: number): Promise<{ end: ProcSample; firstDataMs: number; hwmMiB: number }> {
  const pid = started.child.pid ?? 0;
  const ourPartition = partitionOf(input.containerId, PARTITIONS);
  let hwm = 0;
  let lastSum = 0;
  let lastChange: ProcSample | undefined;
  let firstDataMs = NaN;
  let checkedAt = -1;
  for (;;) {
    if (started.child.exitCode !== null || started.child.signalCode !== null) throw new Error(`${who} exited early: ${started.describe().slice(-1500)}`);
    if (Date.now() - t0 > TIMEOUT_MS) throw new Error(`${who}: not all ${input.lines} lines in Kafka after ${TIMEOUT_MS / 1000} s (offsets ${lastSum})`);
    const sample = sampleProc(pid);
    if (sample) hwm = Math.max(hwm, sample.hwmMiB);
    const offsets = await topicOffsets(admin, topic);
    const sum = sumOffsets(offsets);
    if (sum !== lastSum && sample) {
      if (lastSum === 0) firstDataMs = sample.atMs - t0;
      lastSum = sum;
      lastChange = sample;
    }
    if (who === 'rsyslog' && sum >= input.lines && lastChange) return { end: lastChange, firstDataMs, hwmMiB: hwm };
    // Cargoscope's messages are batches: look at the newest one only once the offsets stand still,
    // and date the end to when they last moved.
    if (who === 'cargoscope' && sum === lastSum && sum > 0 && checkedAt !== sum && lastChange && sample && sample.atMs - lastChange.atMs >= POLL_MS) {
      checkedAt = sum;
      if (await cargoscopeDone(BROKER, topic, ourPartition, input)) return { end: lastChange, firstDataMs, hwmMiB: hwm };
    }
    await sleep(POLL_MS);
  }
}

async function measure(who: Contender, admin: Admin, input: LogInput, label: string): Promise<RunFigures> {
  const topic = `bench.docker-logs.${who}.${label}.${Date.now()}`;
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }] });
  const dir = mkdtempSync(path.join(tmpdir(), `dlb-${who}-`));
  const t0 = Date.now();
  const started = startContender(who, input, topic, dir);
  try {
    const { end, firstDataMs, hwmMiB } = await awaitDelivered(who, admin, topic, input, started, t0);
    const final = sampleProc(started.child.pid ?? 0);
    const wallSecs = (end.atMs - t0) / 1000;
    const payloadMiB = (input.lines * input.lineBytes) / MiB;
    return {
      wallSecs, firstDataSecs: firstDataMs / 1000, cpuSecs: end.cpuSecs, peakRssMiB: Math.max(hwmMiB, final?.hwmMiB ?? 0),
      linesPerSec: input.lines / wallSecs, mibPerSec: payloadMiB / wallSecs, mibPerCoreSec: payloadMiB / end.cpuSecs,
    };
  } finally {
    await started.cleanup();
    rmSync(dir, { recursive: true, force: true });
    await admin.deleteTopics({ topics: [topic] }).catch((err: Error) => log(`could not delete ${topic}: ${err.message}`));
  }
}

const r = (v: number, digits = 3): number => +v.toPrecision(digits);

function describeRun(f: RunFigures): string {
  return `${r(f.linesPerSec, 4)} lines/s, ${r(f.mibPerSec)} MiB/s, ${r(f.mibPerCoreSec)} MiB/s per core (cpu ${r(f.cpuSecs)} s, wall ${r(f.wallSecs)} s, first data ${r(f.firstDataSecs, 2)} s), peak RSS ${r(f.peakRssMiB)} MiB`;
}

interface SizeResult {
  readonly lines: number;
  readonly payloadMiB: number;
  readonly jsonFileMiB: number;
  readonly runs: Partial<Record<Contender, RunFigures[]>>;
}

async function benchSize(admin: Admin, lineBytes: number): Promise<SizeResult> {
  const lines = Math.round((Number(values.mib) * MiB) / lineBytes);
  log(`${lineBytes} B: writing ${lines} lines through dockerd (untimed) …`);
  const input = await prepareInput(lines, lineBytes);
  log(`${lineBytes} B: ${input.logPath} is ${r(input.fileBytes / MiB)} MiB`);
  const runs: Partial<Record<Contender, RunFigures[]>> = {};
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      // Alternate who goes first, so neither always gets the quieter (or warmer) slot.
      const order = round % 2 === 0 ? CONTENDERS : [...CONTENDERS].reverse();
      for (const who of order) {
        const figures = await measure(who, admin, input, `${lineBytes}.${round}`);
        (runs[who] ??= []).push(figures);
        log(`${lineBytes} B round ${round + 1}/${ROUNDS} ${who}: ${describeRun(figures)}`);
      }
    }
  } finally {
    await removeBenchContainers();
  }
  return { lines, payloadMiB: r((lines * lineBytes) / MiB, 4), jsonFileMiB: r(input.fileBytes / MiB, 4), runs };
}

function summarise(result: SizeResult): Record<string, unknown> {
  const of = (who: Contender, f: (x: RunFigures) => number): Stats | undefined => (result.runs[who] ? stats(result.runs[who].map(f)) : undefined);
  const contender = (who: Contender): Record<string, unknown> | undefined => result.runs[who] && {
    linesPerSec: of(who, (x) => x.linesPerSec), mibPerSec: of(who, (x) => x.mibPerSec), mibPerCoreSec: of(who, (x) => x.mibPerCoreSec),
    cpuSecs: of(who, (x) => x.cpuSecs), wallSecs: of(who, (x) => x.wallSecs), firstDataSecs: of(who, (x) => x.firstDataSecs), peakRssMiB: of(who, (x) => x.peakRssMiB),
  };
  const ours = result.runs.cargoscope;
  const theirs = result.runs.rsyslog;
  // Ratios per round (same round, same machine state), then their median and range.
  const ratio = (f: (x: RunFigures) => number): Stats | undefined => (ours && theirs ? stats(ours.map((o, i) => f(o) / f(theirs[i] as RunFigures))) : undefined);
  return {
    lines: result.lines, payloadMiB: result.payloadMiB, jsonFileMiB: result.jsonFileMiB,
    cargoscope: contender('cargoscope'), rsyslog: contender('rsyslog'),
    ratioOursOverRsyslog: ours && theirs ? { linesPerSec: ratio((x) => x.linesPerSec), mibPerCoreSec: ratio((x) => x.mibPerCoreSec) } : undefined,
  };
}

function goals(bySize: ReadonlyMap<number, SizeResult>): Record<string, unknown> {
  const verdict = (value: number | undefined, goal: number, atLeast: boolean): string =>
    value === undefined || !Number.isFinite(value) ? 'not measured' : `${r(value)} (goal ${atLeast ? '≥' : '≤'} ${goal}): ${(atLeast ? value >= goal : value <= goal) ? 'met' : 'NOT met'}`;
  /** Median over rounds of ours ÷ rsyslog's, paired by round. */
  const ratio = (size: number, figure: (x: RunFigures) => number): number | undefined => {
    const { cargoscope: ours, rsyslog: theirs } = bySize.get(size)?.runs ?? {};
    return ours && theirs ? stats(ours.map((o, i) => figure(o) / figure(theirs[i] as RunFigures))).median : undefined;
  };
  const ours256 = bySize.get(256)?.runs.cargoscope;
  const rss = Math.max(...[...bySize.values()].flatMap((s) => (s.runs.cargoscope ?? []).map((x) => x.peakRssMiB)));
  return {
    mibPerCoreSec256: verdict(ours256 ? stats(ours256.map((x) => x.mibPerCoreSec)).median : undefined, GOALS.mibPerCore256, true),
    ...Object.fromEntries(SIZES.flatMap((size) => [
      [`vsRsyslogLinesPerSec${size}`, verdict(ratio(size, (x) => x.linesPerSec), GOALS.vsRsyslog, true)],
      [`vsRsyslogMibPerCore${size}`, verdict(ratio(size, (x) => x.mibPerCoreSec), GOALS.vsRsyslog, true)],
    ])),
    peakRssMiB: verdict(Number.isFinite(rss) ? rss : undefined, GOALS.rssMiB, false),
  };
}

async function main(): Promise<void> {
  const kafka = new Kafka({ clientId: 'docker-logs-bench', brokers: [BROKER], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const bySize = new Map<number, SizeResult>();
  try {
    await removeBenchContainers(); // leftovers of an interrupted run would be tailed too
    for (const size of SIZES) bySize.set(size, await benchSize(admin, size));
  } finally {
    await removeBenchContainers().catch(() => undefined);
    await admin.disconnect();
  }
  const sizes = Object.fromEntries([...bySize].map(([size, res]) => [`${size}B`, summarise(res)]));
  const settings = {
    rounds: ROUNDS, contenders: CONTENDERS.join(', '), transport: `kafka ${BROKER}, acks=all, ${values.compression === 'none' ? 'none' : `gzip level ${GZIP_LEVEL}`}, ${PARTITIONS} partitions, fresh topic per run`,
    cargoscope: `collector process and its hold process (CPU and RSS summed), docker_logs {${values['source-opts'] || 'defaults'}} → topic sink {key: container${extra(values['sink-opts'])}}`,
    rsyslog: `rsyslogd 8 imfile (inotify) → omkafka, raw line per message, LinkedList queue, ${values.compression === 'none' ? 'no compression' : `gzip level ${GZIP_LEVEL}`}`,
  };
  console.log(JSON.stringify({ benchmark: 'docker-logs', settings, sizes, goals: goals(bySize) }));
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  void removeBenchContainers().catch(() => undefined).finally(() => (process.exitCode = 1));
});
