/**
 * One SVG per bench: a panel per figure (throughput first, then latency, then resources), ours
 * and the peer side by side as median bars with min–max whiskers, and the goal as a dashed line
 * where a goal is set on the figure's own value. Plain SVG text, no native dependencies.
 */
import type { BenchSpec, FigureKind, Result } from './spec';
import { formatNumber, measure, type MeasuredFigure } from './summary';
import type { Stat } from './stats';

const PANEL_W = 240;
const PANEL_H = 220;
const COLUMNS = 4;
const HEADER_H = 58;
const PLOT = { left: 52, right: 14, top: 56, bottom: 26 };
const COLOURS = { ours: '#2b6cb0', peer: '#a0aec0', goal: '#c53030', axis: '#4a5568', text: '#1a202c' };
const KIND_ORDER: readonly FigureKind[] = ['throughput', 'latency', 'resource'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The smallest 1, 2 or 5 × 10^k at or above `x`, so axis ticks are round numbers. */
export function niceCeiling(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/** Axis ticks in few characters: 2.5M, 500k, 0.25. */
export function compactNumber(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${Number((n / 1e9).toPrecision(3))}G`;
  if (a >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((n / 1e3).toPrecision(3))}k`;
  return formatNumber(n);
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.slice(0, 2);
}

function textEl(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escapeXml(s)}</text>`;
}

interface Bar {
  readonly who: 'ours' | 'peer';
  readonly stat: Stat;
}

function barMarks(bar: Bar, x: number, width: number, y: (v: number) => number): string[] {
  const { stat } = bar;
  const top = y(stat.median);
  const mid = x + width / 2;
  const out = [`<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${width}" height="${(y(0) - top).toFixed(1)}" fill="${COLOURS[bar.who]}"/>`];
  if (stat.max > stat.min) {
    const [hi, lo] = [y(stat.max), y(stat.min)];
    out.push(
      `<line x1="${mid.toFixed(1)}" y1="${hi.toFixed(1)}" x2="${mid.toFixed(1)}" y2="${lo.toFixed(1)}" stroke="${COLOURS.text}" stroke-width="1.5"/>`,
      `<line x1="${(mid - 7).toFixed(1)}" y1="${hi.toFixed(1)}" x2="${(mid + 7).toFixed(1)}" y2="${hi.toFixed(1)}" stroke="${COLOURS.text}" stroke-width="1.5"/>`,
      `<line x1="${(mid - 7).toFixed(1)}" y1="${lo.toFixed(1)}" x2="${(mid + 7).toFixed(1)}" y2="${lo.toFixed(1)}" stroke="${COLOURS.text}" stroke-width="1.5"/>`,
    );
  }
  out.push(textEl(mid, Math.min(y(stat.max), top) - 4, formatNumber(stat.median), 'text-anchor="middle" font-size="11"'));
  return out;
}

/** One figure's panel, drawn with its top-left corner at the origin. */
export function panel(f: MeasuredFigure, peerName: string | undefined, goal: number | undefined): string[] {
  const out = [`<rect width="${PANEL_W - 8}" height="${PANEL_H - 8}" fill="#ffffff" stroke="#e2e8f0"/>`];
  wrap(f.spec.label, 30).forEach((l, i) => out.push(textEl(8, 16 + i * 14, l, 'font-size="12" font-weight="bold"')));
  const better = f.spec.better === 'higher' ? 'higher is better' : 'lower is better';
  out.push(textEl(8, PLOT.top - 10, `${f.spec.unit} · ${better}`, `font-size="10" fill="${COLOURS.axis}"`));
  const bars: Bar[] = [];
  if (f.ours) bars.push({ who: 'ours', stat: f.ours });
  if (f.peer) bars.push({ who: 'peer', stat: f.peer });
  if (bars.length === 0) return [...out, textEl(PANEL_W / 2, PANEL_H / 2, 'not measured', 'text-anchor="middle" font-size="12"')];
  const plotBottom = PANEL_H - 8 - PLOT.bottom;
  const plotH = plotBottom - PLOT.top - 14;
  const top = niceCeiling(Math.max(...bars.map((b) => b.stat.max), goal ?? 0) * 1.05);
  const y = (v: number): number => plotBottom - (Math.max(0, v) / top) * plotH;
  const plotW = PANEL_W - 8 - PLOT.left - PLOT.right;
  for (const t of [0, 0.5, 1]) {
    out.push(`<line x1="${PLOT.left}" y1="${y(t * top).toFixed(1)}" x2="${PLOT.left + plotW}" y2="${y(t * top).toFixed(1)}" stroke="#edf2f7"/>`);
    out.push(textEl(PLOT.left - 4, y(t * top) + 4, compactNumber(t * top), `text-anchor="end" font-size="10" fill="${COLOURS.axis}"`));
  }
  const slots = peerName ? 2 : 1;
  const width = Math.min(56, plotW / (slots * 1.6));
  bars.forEach((b) => {
    const slot = b.who === 'ours' ? 0 : 1;
    const x = PLOT.left + (plotW / slots) * (slot + 0.5) - width / 2;
    out.push(...barMarks(b, x, width, y));
    out.push(textEl(x + width / 2, plotBottom + 14, b.who === 'ours' ? 'cargoscope' : (peerName ?? 'peer'), 'text-anchor="middle" font-size="10"'));
  });
  if (goal !== undefined) {
    out.push(`<line x1="${PLOT.left}" y1="${y(goal).toFixed(1)}" x2="${PLOT.left + plotW}" y2="${y(goal).toFixed(1)}" stroke="${COLOURS.goal}" stroke-dasharray="5 3" stroke-width="1.5"/>`);
    out.push(textEl(PLOT.left + plotW, y(goal) - 3, `goal ${formatNumber(goal)}`, `text-anchor="end" font-size="10" fill="${COLOURS.goal}"`));
  }
  out.push(`<line x1="${PLOT.left}" y1="${plotBottom}" x2="${PLOT.left + plotW}" y2="${plotBottom}" stroke="${COLOURS.axis}"/>`);
  return out;
}

/** The whole chart of one bench's result. */
export function benchChart(spec: BenchSpec, result: Result | undefined, measuredAt: string): string {
  const figures = spec.figures.map((f) => measure(f, result));
  const ordered = KIND_ORDER.flatMap((k) => figures.filter((f) => f.spec.kind === k));
  const rows = Math.max(1, Math.ceil(ordered.length / COLUMNS));
  const width = Math.min(ordered.length || 1, COLUMNS) * PANEL_W + 8;
  const height = HEADER_H + rows * PANEL_H;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#f7fafc"/>`,
    textEl(10, 22, `${spec.name}${spec.peer ? ` — cargoscope vs ${spec.peer}` : ''}`, 'font-size="16" font-weight="bold"'),
    textEl(10, 40, `bars: median; whiskers: min–max over the runs; measured ${measuredAt}`, `font-size="11" fill="${COLOURS.axis}"`),
  ];
  const legend = [['ours', 'cargoscope'], ...(spec.peer ? [['peer', spec.peer]] : [])] as Array<['ours' | 'peer', string]>;
  legend.forEach(([who, name], i) => {
    const x = width - 230 + i * 110;
    out.push(`<rect x="${x}" y="12" width="12" height="12" fill="${COLOURS[who]}"/>`, textEl(x + 16, 22, name, 'font-size="11"'));
  });
  ordered.forEach((f, i) => {
    const goal = spec.goals.find((g) => g.figure === f.spec.id && g.on === 'value')?.threshold;
    const x = 8 + (i % COLUMNS) * PANEL_W;
    const y = HEADER_H + Math.floor(i / COLUMNS) * PANEL_H;
    out.push(`<g transform="translate(${x},${y})">`, ...panel(f, spec.peer, goal), '</g>');
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
