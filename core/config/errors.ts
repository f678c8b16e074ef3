/** One problem in a config, located by its dotted path (`sinks.es.bulk.max_bytes`). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Every problem found in one pass, so a user fixes them all at once instead of one per run. */
export class ConfigError extends Error {
  constructor(
    readonly issues: readonly ConfigIssue[],
    readonly file?: string,
  ) {
    super(formatIssues(issues, file));
    this.name = 'ConfigError';
  }
}

export function formatIssues(issues: readonly ConfigIssue[], file?: string): string {
  const head = `${file ? `${file}: ` : ''}${issues.length} configuration error${issues.length === 1 ? '' : 's'}`;
  return [head, ...issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`)].join('\n');
}

export function joinPath(...parts: Array<string | number | symbol>): string {
  return parts
    .map(String)
    .filter((p) => p.length > 0)
    .join('.');
}
