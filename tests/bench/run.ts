/**
 * `npm run bench`: runs every benchmark (each with its peer, in the same run where one exists),
 * prints a progress line per step, and writes BENCHMARKS.md — the summary against the goals the
 * benches declare (report/benches.ts), each bench's figures with their ranges and ratios, the exact
 * command and the machine — plus one SVG chart per bench under docs/bench/.
 *   npm run bench                              every bench
 *   npm run bench -- lxcfs-shim docker-logs    only these; the other sections of --out are kept
 *   npm run bench -- --out /tmp/B.md [names]   write elsewhere (charts go to /tmp/docs/bench/)
 * Benchmarks print one JSON object as their last stdout output (a line or a pretty-printed block).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BENCHES } from './report/benches';
import { benchChart } from './report/chart';
import { chartPath, legacySections, parseOutcomes, renderDocument } from './report/document';
import { machine } from './report/machine';
import type { BenchSpec, Outcome, Result } from './report/spec';
import { benchVerdicts } from './report/summary';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PROGRESS_EVERY_MS = 30_000;

/** The last JSON object printed: one line, or a pretty-printed block starting at a line's `{`. */
export function lastJson(out: string): Result {
  const text = out.trim();
  const at = text.startsWith('{') && !text.includes('\n{') ? 0 : text.lastIndexOf('\n{') + 1;
  return JSON.parse(text.slice(at)) as Result;
}

function bringUp(services: readonly string[]): string | undefined {
  if (services.length === 0) return undefined;
  try {
    execFileSync('bash', [path.join(ROOT, 'scripts', 'services.sh'), 'up', ...services], { stdio: ['ignore', 'ignore', 'inherit'] });
    return undefined;
  } catch (err) {
    return `services ${services.join(', ')} did not come up: ${(err as Error).message}`;
  }
}

function runOne(bench: BenchSpec, where: string): Promise<Outcome> {
  const file = path.join(__dirname, bench.file);
  const command = `node ${path.relative(ROOT, file)} ${bench.args.join(' ')}`.trim();
  const started = Date.now();
  // Called once per bench, after its services are up: the machine line names the peers'
  // versions, and bringing the services up is what installs the peers (rsyslogd was "not found"
  // when the line was read before).
  const done = (extra: { result?: Result; error?: string }): Outcome => ({
    name: bench.name, command, seconds: (Date.now() - started) / 1000, measuredAt: new Date(started).toISOString(), machine: machine(ROOT), ...extra,
  });
  if (!existsSync(file)) return Promise.resolve(done({ error: `${bench.file} is not built (missing)` }));
  const down = bringUp(bench.services);
  if (down) return Promise.resolve(done({ error: down }));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...bench.args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const progress = setInterval(() => process.stderr.write(`${where} ${bench.name}: running, ${((Date.now() - started) / 1000).toFixed(0)} s so far …\n`), PROGRESS_EVERY_MS);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code, signal) => {
      clearInterval(progress);
      try {
        if (code !== 0) throw new Error(`exit ${signal ?? `code ${code}`}`);
        resolve(done({ result: lastJson(out) }));
      } catch (err) {
        resolve(done({ error: `${(err as Error).message}; last output: ${out.trim().slice(-300)}` }));
      }
    });
  });
}

function selection(names: readonly string[]): BenchSpec[] {
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);
  return names.length === 0 ? [...BENCHES] : BENCHES.filter((b) => names.includes(b.name));
}

function report(outcome: Outcome, spec: BenchSpec, where: string): void {
  if (outcome.error !== undefined) {
    process.stderr.write(`${where} ${spec.name}: not measured — ${outcome.error}\n`);
    return;
  }
  const verdicts = benchVerdicts(spec, outcome).map((v) => `${v.goal.figure} ${v.text}`);
  process.stderr.write(`${where} ${spec.name}: done in ${outcome.seconds.toFixed(0)} s${verdicts.length ? `; ${verdicts.join('; ')}` : ''}\n`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { only: { type: 'string' }, out: { type: 'string', default: path.join(ROOT, 'BENCHMARKS.md') } },
  });
  const names = [...positionals, ...(values.only?.split(',').filter(Boolean) ?? [])];
  const selected = selection(names);
  const out = path.resolve(values.out);
  const before = names.length > 0 && existsSync(out) ? readFileSync(out, 'utf8') : '';
  const kept = parseOutcomes(before);
  const missing = names.length > 0 ? BENCHES.filter((b) => !selected.includes(b) && !kept.has(b.name)).map((b) => b.name) : [];
  const legacy = legacySections(before, missing);
  if (missing.length > 0) process.stderr.write(`note: ${out} stores no result for ${missing.join(', ')}; their old sections are kept as text (${[...legacy.keys()].join(', ') || 'none found'}) and the summary says "not measured" for them\n`);
  const outcomes = new Map(kept);
  for (const [i, bench] of selected.entries()) {
    const where = `[${i + 1}/${selected.length}]`;
    process.stderr.write(`${where} ${bench.name}: ${bench.what} …\n`);
    const outcome = await runOne(bench, where);
    report(outcome, bench, where);
    outcomes.set(bench.name, outcome);
  }
  const command = names.length > 0 ? `npm run bench -- ${names.join(' ')}` : 'npm run bench';
  writeFileSync(out, renderDocument({ specs: BENCHES, outcomes, machine: machine(ROOT), writtenAt: new Date().toISOString(), command, legacy }));
  for (const spec of BENCHES) {
    const o = outcomes.get(spec.name);
    if (!o?.result) continue;
    const svg = path.join(path.dirname(out), chartPath(spec.name));
    mkdirSync(path.dirname(svg), { recursive: true });
    writeFileSync(svg, benchChart(spec, o.result, o.measuredAt));
  }
  process.stderr.write(`wrote ${out} and its charts under ${path.join(path.dirname(out), 'docs', 'bench')}\n`);
  if (selected.some((b) => outcomes.get(b.name)?.error !== undefined)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    process.exitCode = 2;
  });
}
