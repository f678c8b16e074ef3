import type { SeriesBuffer, SeriesStore } from './series-store';

export interface Matcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
  readonly regex?: RegExp;
}

/** Parses `{label: "value" | "=v" | "!=v" | "=~re" | "!~re"}`; regexes are anchored as in PromQL. */
export function parseSelector(selector: Readonly<Record<string, string | undefined>>): Matcher[] {
  const out: Matcher[] = [];
  for (const [label, raw] of Object.entries(selector)) {
    if (raw === undefined) continue;
    const m = /^(=~|!~|!=|=)?(.*)$/s.exec(raw);
    const op = (m?.[1] ?? '=') as Matcher['op'];
    const value = m?.[2] ?? '';
    out.push(op === '=~' || op === '!~' ? { label, op, value, regex: new RegExp(`^(?:${value})$`) } : { label, op, value });
  }
  return out;
}

function matches(m: Matcher, labels: Readonly<Record<string, string>>): boolean {
  const v = labels[m.label] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return (m.regex as RegExp).test(v);
    case '!~':
      return !(m.regex as RegExp).test(v);
  }
}

/**
 * The series a selector picks. An equality matcher narrows the candidates through the store's
 * label postings first, so a rule for one namespace never scans the whole fleet.
 */
export function selectSeries(store: SeriesStore, metric: string, level: string, matchers: readonly Matcher[]): SeriesBuffer[] {
  const eq = matchers.find((m) => m.op === '=' && m.value !== '');
  const candidates = eq ? store.withLabel(metric, level, eq.label, eq.value) : store.candidates(metric, level);
  const rest = matchers.filter((m) => m !== eq);
  if (rest.length === 0) return candidates.slice();
  return candidates.filter((buf) => rest.every((m) => matches(m, buf.labels)));
}
