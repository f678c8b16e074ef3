/**
 * Every benchmark `npm run bench` runs, in order: how to run it, the figures read from its JSON
 * result and the goals the issues set for them. A path that a bench no longer prints shows as
 * "not in the result" in BENCHMARKS.md instead of a number.
 */
import type { BenchSpec, Extract, FigureSpec, Result } from './spec';
import { isObject, scaleStat, statAt, statOf, statOfRuns, valueAt, type Stat } from './stats';

const at = (path: string, runsPath?: string): Extract => (r) => statAt(r, path, runsPath);

const aggregator: BenchSpec = {
  name: 'aggregator', file: 'aggregator.bench.js', args: ['--runs', '5'], services: [],
  what: 'roll-up of 30,000 containers per 10 s window; /metrics exposition of 10,000 series',
  figures: [
    { id: 'rollup-rate', label: 'roll-up samples/s, one core', unit: 'samples/s', kind: 'throughput', better: 'higher', ours: at('rollup_samples_per_second', 'runs') },
    { id: 'rollup-lag', label: 'roll-up window-close lag', unit: 's', kind: 'latency', better: 'lower', ours: at('rollup_lag_seconds', 'runs') },
    { id: 'rollup-cpu', label: 'roll-up time per 10 s window, one thread (wall)', unit: 's', kind: 'resource', better: 'lower', ours: at('rollup_cpu_seconds_per_window', 'runs') },
    { id: 'metrics-scrape', label: '/metrics render, 10,000 series', unit: 'ms', kind: 'latency', better: 'lower', ours: at('metrics_scrape_ms', 'runs') },
  ],
  goals: [
    { issue: 6, text: 'roll-up of 30,000 containers: time per 10 s window on one thread (wall, so CPU on an idle core)', figure: 'rollup-cpu', on: 'value', op: '<=', threshold: 10 },
    { issue: 6, text: 'roll-up window-close lag at 30,000 containers', figure: 'rollup-lag', on: 'value', op: '<=', threshold: 1 },
    { issue: 6, text: '`/metrics` with 10,000 series', figure: 'metrics-scrape', on: 'value', op: '<=', threshold: 100 },
  ],
};

function collectorFigures(n: number): FigureSpec[] {
  const p = `containers${n}`;
  return [
    { id: `cpu-${n}`, label: `CPU over the window, ${n} idle containers`, unit: 'CPU s', kind: 'resource', better: 'lower', ours: at(`${p}.cgroupSource.cpuSecsRuns`), peer: at(`${p}.cadvisor.cpuSecsRuns`), ratio: at(`${p}.ratio.cpuRuns`) },
    { id: `rss-${n}`, label: `RSS, ${n} idle containers`, unit: 'MiB', kind: 'resource', better: 'lower', ours: at(`${p}.cgroupSource.rssMiBRuns`), peer: at(`${p}.cadvisor.rssMiBRuns`), ratio: at(`${p}.ratio.rssRuns`) },
    { id: `rss-over-node-${n}`, label: `RSS over an idle Node process, ${n} containers`, unit: 'MiB', kind: 'resource', better: 'lower', ours: at(`${p}.cgroupSource.rssOverIdleNodeMiBRuns`), peer: at(`${p}.cadvisor.rssMiBRuns`) },
  ];
}

const collectorMetrics: BenchSpec = {
  name: 'collector-metrics', file: 'collector-metrics.bench.js', args: [], services: ['docker', 'images', 'cadvisor'], peer: 'cAdvisor',
  what: 'collector `cgroup` source CPU and RSS for idle containers vs cAdvisor at the same interval, same run',
  figures: [...collectorFigures(100), ...collectorFigures(300)],
  goals: [100, 300].flatMap((n) => [
    { issue: 4, text: `\`cgroup\` source CPU vs cAdvisor, ${n} containers`, figure: `cpu-${n}`, on: 'ratio' as const, op: '<=' as const, threshold: 0.25 },
    { issue: 4, text: `collector RSS vs cAdvisor, ${n} containers`, figure: `rss-${n}`, on: 'ratio' as const, op: '<=' as const, threshold: 0.5 },
  ]),
};

/** The lxcfs-shim bench lists scenarios; repeated scenarios (if it repeats them) are pooled into a range. */
function scenario(impl: string, file: string, readers: number, key: string): Extract {
  return (r: Result): Stat | undefined => {
    const rows = valueAt(r, 'results');
    if (!Array.isArray(rows)) return undefined;
    const hits = rows.filter((x): x is Record<string, unknown> => isObject(x) && x['impl'] === impl && x['file'] === file && x['readers'] === readers);
    const stats = hits.map((h) => statOf(h[key])).filter((s): s is Stat => s !== undefined);
    if (stats.length === 1) return stats[0];
    return statOfRuns(stats.map((s) => s.median));
  };
}

/** The shim ÷ lxcfs ratio of one figure, paired per round by the bench (its `ratios` list). */
function shimRatio(file: string, readers: number, key: string): Extract {
  return (r: Result): Stat | undefined => {
    const rows = valueAt(r, 'ratios');
    if (!Array.isArray(rows)) return undefined;
    const hit = rows.find((x): x is Record<string, unknown> => isObject(x) && x['file'] === file && x['readers'] === readers);
    return hit === undefined ? undefined : statOf(hit[key]);
  };
}

function shimFigures(file: string, readers: number): FigureSpec[] {
  const short = file.replace('/proc/', '');
  const of = (impl: string, key: string): Extract => scenario(impl, file, readers, key);
  const plural = readers > 1 ? 's' : '';
  return [
    { id: `${short}-${readers}-rate`, label: `${file} reads/s, ${readers} reader${plural}`, unit: 'reads/s', kind: 'throughput', better: 'higher', ours: of('cargoscope-shim', 'reads_per_sec'), peer: of('lxcfs', 'reads_per_sec'), ratio: shimRatio(file, readers, 'reads_per_sec') },
    { id: `${short}-${readers}-p99`, label: `${file} p99, ${readers} reader${plural}`, unit: 'µs', kind: 'latency', better: 'lower', ours: of('cargoscope-shim', 'p99_us'), peer: of('lxcfs', 'p99_us'), ratio: shimRatio(file, readers, 'p99_us') },
    { id: `${short}-${readers}-cpu`, label: `${file} server CPU per read, ${readers} reader${plural}`, unit: 'µs', kind: 'resource', better: 'lower', ours: of('cargoscope-shim', 'server_cpu_us_per_read'), peer: of('lxcfs', 'server_cpu_us_per_read'), ratio: shimRatio(file, readers, 'server_cpu_us_per_read') },
  ];
}

const lxcfsShim: BenchSpec = {
  name: 'lxcfs-shim', file: 'lxcfs-shim.bench.js', args: [], services: ['lxcfs'], peer: 'lxcfs',
  what: '/proc/meminfo and /proc/stat latency and reads/s through the shim and through lxcfs, same run',
  figures: ['/proc/meminfo', '/proc/stat'].flatMap((f) => [...shimFigures(f, 1), ...shimFigures(f, 20)]),
  goals: ['meminfo', 'stat'].flatMap((f) => [
    { issue: 9, text: `/proc/${f} reads/s vs lxcfs, 20 readers`, figure: `${f}-20-rate`, on: 'ratio' as const, op: '>=' as const, threshold: 1 },
    { issue: 9, text: `/proc/${f} p99 vs lxcfs, 20 readers`, figure: `${f}-20-p99`, on: 'ratio' as const, op: '<=' as const, threshold: 1 },
  ]),
};

function logFigures(size: string): FigureSpec[] {
  const p = `sizes.${size}`;
  const runs = 'settings.rounds';
  return [
    { id: `lines-${size}`, label: `lines/s, ${size} lines`, unit: 'lines/s', kind: 'throughput', better: 'higher', ours: at(`${p}.cargoscope.linesPerSec`, runs), peer: at(`${p}.rsyslog.linesPerSec`, runs), ratio: at(`${p}.ratioOursOverRsyslog.linesPerSec`, runs) },
    { id: `mib-core-${size}`, label: `MiB/s per core, ${size} lines`, unit: 'MiB/s/core', kind: 'throughput', better: 'higher', ours: at(`${p}.cargoscope.mibPerCoreSec`, runs), peer: at(`${p}.rsyslog.mibPerCoreSec`, runs), ratio: at(`${p}.ratioOursOverRsyslog.mibPerCoreSec`, runs) },
    { id: `first-${size}`, label: `time to first line in Kafka, ${size} lines`, unit: 's', kind: 'latency', better: 'lower', ours: at(`${p}.cargoscope.firstDataSecs`, runs), peer: at(`${p}.rsyslog.firstDataSecs`, runs) },
    { id: `rss-${size}`, label: `peak RSS, ${size} lines`, unit: 'MiB', kind: 'resource', better: 'lower', ours: at(`${p}.cargoscope.peakRssMiB`, runs), peer: at(`${p}.rsyslog.peakRssMiB`, runs) },
  ];
}

const dockerLogs: BenchSpec = {
  name: 'docker-logs', file: 'docker-logs.bench.js', args: [], services: ['docker', 'images', 'kafka', 'peers'], peer: 'rsyslog',
  what: 'json-file → Kafka lines/s and MiB/s per core vs rsyslog (imfile → omkafka), same run',
  figures: [...logFigures('256B'), ...logFigures('1024B')],
  goals: [
    { issue: 5, text: 'log shipping per core, 256 B lines', figure: 'mib-core-256B', on: 'value', op: '>=', threshold: 15 },
    { issue: 5, text: 'log shipping lines/s vs rsyslog, 256 B lines', figure: 'lines-256B', on: 'ratio', op: '>=', threshold: 1.5 },
    { issue: 5, text: 'log shipping MiB/s per core vs rsyslog, 256 B lines', figure: 'mib-core-256B', on: 'ratio', op: '>=', threshold: 1.5 },
    { issue: 5, text: 'log shipping lines/s vs rsyslog, 1024 B lines', figure: 'lines-1024B', on: 'ratio', op: '>=', threshold: 1.5 },
    { issue: 5, text: 'log shipping MiB/s per core vs rsyslog, 1024 B lines', figure: 'mib-core-1024B', on: 'ratio', op: '>=', threshold: 1.5 },
    { issue: 5, text: 'collector peak RSS while shipping, 256 B lines', figure: 'rss-256B', on: 'value', op: '<=', threshold: 200 },
    { issue: 5, text: 'collector peak RSS while shipping, 1024 B lines', figure: 'rss-1024B', on: 'value', op: '<=', threshold: 200 },
  ],
};

const kafkaToEs: BenchSpec = {
  name: 'kafka-to-es', file: 'es.bench.js', args: [], services: ['kafka', 'elasticsearch'], peer: 'bulk loader',
  what: 'logs Kafka → Elasticsearch docs/s vs a plain bulk loader sending the same documents, same run',
  figures: [
    { id: 'docs', label: 'docs/s, end to end', unit: 'docs/s', kind: 'throughput', better: 'higher', ours: at('cargoscope_docs_per_second', 'rounds'), peer: at('loader_docs_per_second', 'rounds'), ratio: at('ratio_per_round', 'rounds') },
    { id: 'steady', label: 'docs/s from the first document', unit: 'docs/s', kind: 'throughput', better: 'higher', ours: at('cargoscope_steady_docs_per_second', 'rounds'), peer: at('loader_steady_docs_per_second', 'rounds') },
    { id: 'first-doc', label: 'time to first document', unit: 's', kind: 'latency', better: 'lower', ours: at('cargoscope_first_doc_seconds', 'rounds'), peer: at('loader_first_doc_seconds', 'rounds') },
    { id: 'cpu', label: 'CPU per 100k docs', unit: 'CPU s', kind: 'resource', better: 'lower', ours: at('cargoscope_cpu_seconds_per_100k_docs', 'rounds'), peer: at('loader_cpu_seconds_per_100k_docs', 'rounds') },
    { id: 'rss', label: 'peak RSS', unit: 'MiB', kind: 'resource', better: 'lower', ours: at('cargoscope_peak_rss_mib', 'rounds'), peer: at('loader_peak_rss_mib', 'rounds') },
  ],
  goals: [{ issue: 6, text: 'Kafka → Elasticsearch docs/s vs a plain bulk loader', figure: 'docs', on: 'ratio', op: '>=', threshold: 0.9 }],
};

/** Rule×series pairs evaluated per second, per warm run. */
function pairsPerSecond(r: Result): Stat | undefined {
  const pairs = valueAt(r, 'rule_series_pairs');
  const warm = statAt(r, 'warm_ms');
  return typeof pairs === 'number' ? scaleStat(warm, (ms) => pairs / (ms / 1000)) : undefined;
}

const alerting: BenchSpec = {
  name: 'alerting', file: 'alerting.bench.js', args: [], services: [],
  what: 'rule evaluation: 10,000 rules over 100,000 roll-up series, one core',
  figures: [
    { id: 'warm', label: 'evaluation of 10,000 rules (warm)', unit: 'ms', kind: 'latency', better: 'lower', ours: at('warm_ms') },
    { id: 'cold', label: 'first evaluation (selectors matched)', unit: 'ms', kind: 'latency', better: 'lower', ours: at('cold_ms') },
    { id: 'pairs', label: 'rule×series pairs evaluated/s (warm)', unit: 'pairs/s', kind: 'throughput', better: 'higher', ours: pairsPerSecond },
  ],
  goals: [
    { issue: 7, text: 'rule evaluation, 10,000 rules × 100,000 series (warm)', figure: 'warm', on: 'value', op: '<=', threshold: 1000 },
    { issue: 7, text: 'rule evaluation, first run (cold)', figure: 'cold', on: 'value', op: '<=', threshold: 1000 },
  ],
};

const swarmScale: BenchSpec = {
  name: 'swarm-scale', file: 'swarm-scale.bench.js', args: ['--runs', '5'], services: ['docker', 'images', 'swarm'],
  what: 'CPU load step on a real Swarm service → scale-out decision of the autoscaler (5 s interval) → replicas updated on Swarm; the Kubernetes HPA is quoted at ~27 s (not measured here)',
  figures: [
    { id: 'decision', label: 'load step → scale-out decision', unit: 's', kind: 'latency', better: 'lower', ours: at('step_to_decision_s') },
    { id: 'spec', label: 'load step → Swarm service spec updated', unit: 's', kind: 'latency', better: 'lower', ours: at('step_to_spec_s') },
    { id: 'running', label: 'load step → new replicas running', unit: 's', kind: 'latency', better: 'lower', ours: at('step_to_running_s') },
  ],
  goals: [{ issue: 7, text: 'load step → scale-out decision on Swarm, 5 s interval', figure: 'decision', on: 'value', op: '<=', threshold: 10 }],
};

export const BENCHES: readonly BenchSpec[] = [aggregator, alerting, swarmScale, collectorMetrics, lxcfsShim, dockerLogs, kafkaToEs];
