/**
 * A small subset of Prometheus' annotation templates, compiled once per rule:
 *   {{ $labels.name }}  {{ $value }}  {{ $value | humanize }}  {{ $value | humanizePercentage }}
 *   {{ $value | printf "%.2f" }}
 * Anything else is rejected when the rule file loads, not when an alert fires.
 */

export interface TemplateData {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

type Part = string | ((d: TemplateData) => string);
export type CompiledTemplate = (d: TemplateData) => string;

const ACTION = /\{\{\s*(.*?)\s*\}\}/gs;

function humanize(v: number): string {
  const abs = Math.abs(v);
  if (abs === 0 || !Number.isFinite(v)) return String(v);
  const big = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  const small = ['', 'm', 'u', 'n', 'p'];
  if (abs >= 1) {
    let i = 0;
    let x = v;
    while (Math.abs(x) >= 1000 && i < big.length - 1) { x /= 1000; i += 1; }
    return `${trim(x)}${big[i]}`;
  }
  let i = 0;
  let x = v;
  while (Math.abs(x) < 1 && i < small.length - 1) { x *= 1000; i += 1; }
  return `${trim(x)}${small[i]}`;
}

function trim(x: number): string {
  return String(Number(x.toPrecision(4)));
}

function compileValue(pipe: string | undefined): (v: number) => string {
  if (pipe === undefined) return (v) => String(v);
  if (pipe === 'humanize') return humanize;
  if (pipe === 'humanizePercentage') return (v) => `${humanize(v * 100)}%`;
  const printf = /^printf\s+"%\.(\d+)f"$/.exec(pipe);
  if (printf) {
    const digits = Number(printf[1]);
    return (v) => v.toFixed(digits);
  }
  throw new Error(`unsupported template function '${pipe}' (humanize, humanizePercentage, printf "%.Nf")`);
}

function compileAction(action: string): (d: TemplateData) => string {
  const [head, ...pipes] = action.split('|').map((s) => s.trim());
  if (pipes.length > 1) throw new Error(`only one pipe is supported in '{{ ${action} }}'`);
  const label = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(head ?? '');
  if (label) {
    if (pipes.length > 0) throw new Error(`label values take no functions in '{{ ${action} }}'`);
    const name = label[1] ?? '';
    return (d) => d.labels[name] ?? '';
  }
  if (head === '$value') {
    const fmt = compileValue(pipes[0]);
    return (d) => fmt(d.value);
  }
  throw new Error(`unsupported template action '{{ ${action} }}' ($labels.<name>, $value)`);
}

export function compileTemplate(text: string): CompiledTemplate {
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(ACTION)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push(compileAction(m[1] ?? ''));
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  if (parts.every((p) => typeof p === 'string')) return () => text;
  return (d) => parts.map((p) => (typeof p === 'string' ? p : p(d))).join('');
}
