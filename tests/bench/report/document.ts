/**
 * BENCHMARKS.md as a document of sections, one per bench, each carrying its outcome as a JSON
 * comment so that a later run of a subset can rewrite its own sections, keep the others and
 * still build the summary and charts from every result. Pure: text in, text out.
 */
import type { BenchSpec, Outcome } from './spec';
import { figureTable, formatNumber, summaryTable } from './summary';

const OUTCOME = /<!-- bench:outcome (.*?) -->/g;

export function chartPath(name: string): string {
  return `docs/bench/${name}.svg`;
}

/** JSON cannot hold `--` outside strings, so escaping it inside keeps the comment closed. */
export function outcomeComment(o: Outcome): string {
  return `<!-- bench:outcome ${JSON.stringify(o).replace(/--/g, '-\\u002d')} -->`;
}

function isOutcome(x: unknown): x is Outcome {
  const o = x as Partial<Outcome> | null;
  return typeof o === 'object' && o !== null && typeof o.name === 'string' && typeof o.command === 'string' && typeof o.measuredAt === 'string';
}

/** The outcomes stored in an earlier BENCHMARKS.md; a comment that does not parse is skipped. */
export function parseOutcomes(markdown: string): Map<string, Outcome> {
  const found = new Map<string, Outcome>();
  for (const m of markdown.matchAll(OUTCOME)) {
    try {
      const o: unknown = JSON.parse(m[1] ?? '');
      if (isOutcome(o)) found.set(o.name, o);
    } catch {
      // a hand-edited or truncated comment: that bench counts as not measured
    }
  }
  return found;
}

/**
 * The `## name` sections of a BENCHMARKS.md written before outcomes were stored, by bench name:
 * a subset run keeps them as they were rather than dropping figures it cannot re-read.
 */
export function legacySections(markdown: string, names: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('## ')) {
      const name = line.slice(3).trim();
      current = names.includes(name) ? [] : undefined;
      if (current) found.set(name, current);
    }
    current?.push(line);
  }
  return found;
}

function flatten(value: unknown, prefix = ''): Array<[string, string]> {
  const num = (v: unknown): string => (typeof v === 'number' ? formatNumber(v) : JSON.stringify(v));
  if (value === null || typeof value !== 'object') return [[prefix, typeof value === 'number' ? formatNumber(value) : String(value)]];
  if (Array.isArray(value)) return [[prefix, value.map(num).join(', ')]];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
}

export function section(spec: BenchSpec, o: Outcome | undefined, machine: string): string[] {
  const lines = [`## ${spec.name}`, '', `${spec.what}.`, ''];
  if (!o) return [...lines, '**Not measured:** no result for this bench yet; run `npm run bench -- ' + spec.name + '`.', ''];
  const where = o.machine === machine ? '' : ` on ${o.machine}`;
  lines.push(`Command: \`${o.command}\` (${o.seconds.toFixed(0)} s), measured ${o.measuredAt}${where}.`, '');
  if (o.error !== undefined || !o.result) {
    lines.push(`**Not measured:** ${o.error ?? 'no result'}`, '', outcomeComment(o), '');
    return lines;
  }
  lines.push(`![${spec.name}: median bars, min–max whiskers](${chartPath(spec.name)})`, '');
  lines.push(...figureTable(spec, o.result), '');
  lines.push('<details><summary>Everything the bench printed</summary>', '', '| key | value |', '| --- | --- |');
  for (const [k, v] of flatten(o.result)) lines.push(`| ${k} | ${v.replace(/\|/g, '\\|')} |`);
  lines.push('', '</details>', '', outcomeComment(o), '');
  return lines;
}

export interface DocumentInput {
  readonly specs: readonly BenchSpec[];
  readonly outcomes: ReadonlyMap<string, Outcome>;
  readonly machine: string;
  readonly writtenAt: string;
  readonly command: string;
  /** Sections of an older file without stored outcomes, kept verbatim for benches not rerun. */
  readonly legacy?: ReadonlyMap<string, readonly string[]>;
}

export function renderDocument(d: DocumentInput): string {
  const charts = d.specs.filter((s) => d.outcomes.get(s.name)?.result).map((s) => `[${s.name}](${chartPath(s.name)})`);
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`${d.command}\` on ${d.writtenAt}; sections kept from an earlier run say when they were measured.`,
    `Machine: ${d.machine}.`,
    'Machines are noisy: figures are medians with their range (min–max) over repeated runs, and',
    'comparisons with a peer are ratios measured in the same run (paired per run where the bench pairs them).',
    'Regenerate everything with `npm run bench`, or some sections with `npm run bench -- <name> …`.',
    '',
    '## Summary against the goals',
    '',
    'Generated from the results below and the goals each benchmark declares (tests/bench/report/benches.ts).',
    '',
    ...summaryTable(d.specs, d.outcomes),
    '',
    `Charts (throughput, latency and resources per benchmark, ours vs the peer): ${charts.join(' · ') || 'none yet'}.`,
    '',
  ];
  for (const spec of d.specs) {
    const old = d.outcomes.has(spec.name) ? undefined : d.legacy?.get(spec.name);
    if (!old) lines.push(...section(spec, d.outcomes.get(spec.name), d.machine));
    else lines.push(old[0] ?? `## ${spec.name}`, '', '_Kept from an earlier BENCHMARKS.md that stored no results: not in the summary until rerun._', ...old.slice(1));
  }
  return lines.join('\n');
}
