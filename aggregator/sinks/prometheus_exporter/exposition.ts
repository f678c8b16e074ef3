/** Prometheus text exposition (format 0.0.4) helpers: pure, allocation-light. */

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** `{a="1",b="2"}` for a label set, or '' when empty. Precompute per container: labels rarely change. */
export function renderLabels(labels: ReadonlyArray<readonly [string, string]>): string {
  if (labels.length === 0) return '';
  return `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** Joins a precomputed label prefix (`a="1",b="2"`) with per-sample labels. */
export function joinLabels(prefix: string, extra: Readonly<Record<string, string>> | undefined): string {
  if (!extra) return prefix ? `{${prefix}}` : '';
  const keys = Object.keys(extra);
  if (keys.length === 0) return prefix ? `{${prefix}}` : '';
  const tail = keys.map((k) => `${k}="${escapeLabelValue(extra[k] as string)}"`).join(',');
  return `{${prefix ? `${prefix},` : ''}${tail}}`;
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
