/**
 * `npm run bench`: runs every benchmark (each with its peer, in the same run where one exists),
 * prints a progress line per step, and writes BENCHMARKS.md with the exact command, the machine
 * and each figure. Benchmarks print one JSON object on their last stdout line.
 *   npm run bench -- [--only name[,name]] [--out BENCHMARKS.md]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface Bench {
  readonly name: string;
  readonly file: string;
  readonly args: readonly string[];
  /** Real services scripts/services.sh must bring up first. */
  readonly services: readonly string[];
  readonly what: string;
}

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BENCHES: readonly Bench[] = [
  { name: 'aggregator', file: 'aggregator.bench.js', args: ['--runs', '5'], services: [], what: 'roll-up of 30,000 containers per 10 s window; /metrics exposition of 10,000 series' },
  { name: 'collector-metrics', file: 'collector-metrics.bench.js', args: [], services: ['docker', 'images', 'cadvisor'], what: 'collector CPU and RSS for idle containers vs cAdvisor, same run' },
  { name: 'lxcfs-shim', file: 'lxcfs-shim.bench.js', args: [], services: ['lxcfs'], what: '/proc/meminfo and /proc/stat latency and reads/s, shim vs lxcfs, same run' },
  { name: 'docker-logs', file: 'docker-logs.bench.js', args: [], services: ['docker', 'images', 'kafka', 'peers'], what: 'json-file → Kafka lines/s and MiB/s vs rsyslog, same run' },
  { name: 'kafka-to-es', file: 'es.bench.js', args: [], services: ['kafka', 'elasticsearch'], what: 'logs Kafka → Elasticsearch docs/s vs a plain bulk loader, same run' },
  { name: 'alerting', file: 'alerting.bench.js', args: [], services: [], what: 'rule evaluation: 10,000 rules over 100,000 series' },
];

interface Outcome {
  readonly bench: Bench;
  readonly command: string;
  readonly seconds: number;
  readonly result?: Record<string, unknown>;
  readonly error?: string;
}

function runOne(bench: Bench): Promise<Outcome> {
  const file = path.join(__dirname, bench.file);
  const command = `node ${path.relative(ROOT, file)} ${bench.args.join(' ')}`.trim();
  const started = Date.now();
  if (!existsSync(file)) return Promise.resolve({ bench, command, seconds: 0, error: `${bench.file} is not built (missing)` });
  if (bench.services.length > 0) {
    try {
      execFileSync('bash', [path.join(ROOT, 'scripts', 'services.sh'), 'up', ...bench.services], { stdio: ['ignore', 'ignore', 'inherit'] });
    } catch (err) {
      return Promise.resolve({ bench, command, seconds: 0, error: `services ${bench.services.join(', ')} did not come up: ${(err as Error).message}` });
    }
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...bench.args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      const seconds = (Date.now() - started) / 1000;
      // The result is the last JSON object printed: one line, or a pretty-printed block.
      const text = out.trim();
      const at = text.startsWith('{') && !text.includes('\n{') ? 0 : text.lastIndexOf('\n{') + 1;
      const last = text.slice(at);
      try {
        if (code !== 0) throw new Error(`exit code ${code}`);
        resolve({ bench, command, seconds, result: JSON.parse(last) as Record<string, unknown> });
      } catch (err) {
        resolve({ bench, command, seconds, error: `${(err as Error).message}; last output: ${last.slice(0, 300)}` });
      }
    });
  });
}

function flatten(value: unknown, prefix = ''): Array<[string, string]> {
  if (value === null || typeof value !== 'object') return [[prefix, typeof value === 'number' ? formatNumber(value) : String(value)]];
  if (Array.isArray(value)) return [[prefix, value.map((v) => (typeof v === 'number' ? formatNumber(v) : JSON.stringify(v))).join(', ')]];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

function machine(): string {
  const cpus = os.cpus();
  const versions = [`node ${process.version}`, `kernel ${os.release()}`];
  for (const [name, cmd] of [['docker', ['docker', '--version']], ['java', ['java', '-version']]] as const) {
    try {
      // java prints its version on stderr; 2>&1 through a shell keeps one code path for both.
      versions.push(execFileSync('sh', ['-c', `${cmd.join(' ')} 2>&1`], { encoding: 'utf8' }).split('\n')[0]?.trim() ?? name);
    } catch {
      versions.push(`${name}: not found`);
    }
  }
  return `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; ${versions.join('; ')}`;
}

function render(outcomes: readonly Outcome[]): string {
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString()}.`,
    `Machine: ${machine()}.`,
    'Machines are noisy: figures are medians with their range over repeated runs, and comparisons',
    'with a peer are ratios measured in the same run.',
    '',
  ];
  for (const o of outcomes) {
    lines.push(`## ${o.bench.name}`, '', o.bench.what + '.', '', `Command: \`${o.command}\` (${o.seconds.toFixed(0)} s)`, '');
    if (o.error) {
      lines.push(`**Not measured:** ${o.error}`, '');
      continue;
    }
    lines.push('| figure | value |', '| --- | --- |');
    for (const [k, v] of flatten(o.result)) if (k !== 'benchmark') lines.push(`| ${k} | ${v.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string', default: path.join(ROOT, 'BENCHMARKS.md') } } });
  const only = values.only?.split(',');
  const selected = BENCHES.filter((b) => !only || only.includes(b.name));
  const outcomes: Outcome[] = [];
  for (const [i, bench] of selected.entries()) {
    process.stderr.write(`[${i + 1}/${selected.length}] ${bench.name}: ${bench.what} …\n`);
    const outcome = await runOne(bench);
    process.stderr.write(`[${i + 1}/${selected.length}] ${bench.name}: ${outcome.error ? `not measured — ${outcome.error}` : `done in ${outcome.seconds.toFixed(0)} s`}\n`);
    outcomes.push(outcome);
  }
  writeFileSync(values.out, render(outcomes));
  process.stderr.write(`wrote ${values.out}\n`);
}

void main();
