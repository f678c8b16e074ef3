import type { BenchSpec, Outcome, Result } from '../../bench/report/spec';
import { statAt } from '../../bench/report/stats';

/** A bench with a peer, shaped like docker-logs: per-run medians, ranges and a paired ratio. */
export const PEERED: BenchSpec = {
  name: 'logs', file: 'logs.bench.js', args: [], services: [], what: 'lines to Kafka', peer: 'rsyslog',
  figures: [
    { id: 'lines', label: 'lines/s', unit: 'lines/s', kind: 'throughput', better: 'higher', ours: (r) => statAt(r, 'ours.lines', 'rounds'), peer: (r) => statAt(r, 'peer.lines', 'rounds'), ratio: (r) => statAt(r, 'ratio', 'rounds') },
    { id: 'rss', label: 'peak RSS', unit: 'MiB', kind: 'resource', better: 'lower', ours: (r) => statAt(r, 'ours.rss'), peer: (r) => statAt(r, 'peer.rss') },
    { id: 'first', label: 'first line', unit: 's', kind: 'latency', better: 'lower', ours: (r) => statAt(r, 'ours.first'), peer: (r) => statAt(r, 'peer.first') },
  ],
  goals: [
    { issue: 5, text: 'lines/s vs rsyslog', figure: 'lines', on: 'ratio', op: '>=', threshold: 1.5 },
    { issue: 5, text: 'peak RSS', figure: 'rss', on: 'value', op: '<=', threshold: 200 },
    { issue: 5, text: 'first line', figure: 'first', on: 'value', op: '<=', threshold: 1 },
  ],
};

export const PEERED_RESULT: Result = {
  rounds: 3,
  ours: { lines: { median: 166_100, min: 156_200, max: 181_300 }, rss: [548, 540, 557], first: 0.42 },
  peer: { lines: { median: 291_800, min: 252_400, max: 339_500 }, rss: [32, 31, 48], first: 0.1 },
  ratio: { median: 0.621, min: 0.46, max: 0.658 },
};

/** A bench without a peer, like alerting. */
export const ALONE: BenchSpec = {
  name: 'rules', file: 'rules.bench.js', args: [], services: [], what: 'rule evaluation',
  figures: [{ id: 'warm', label: 'evaluation', unit: 'ms', kind: 'latency', better: 'lower', ours: (r) => statAt(r, 'warm_ms') }],
  goals: [{ issue: 7, text: 'rule evaluation', figure: 'warm', on: 'value', op: '<=', threshold: 1000 }],
};

export function outcome(name: string, result: Result | undefined, error?: string): Outcome {
  return {
    name, command: `node dist/tests/bench/${name}.bench.js`, seconds: 12, measuredAt: '2026-12-03T10:00:00.000Z', machine: '2 × test CPU',
    ...(result ? { result } : {}), ...(error === undefined ? {} : { error }),
  };
}
