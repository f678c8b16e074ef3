import type { ConfigIssue } from './errors';

/**
 * `${VAR}`, `${VAR:-default}` and `$$` (a literal `$`) in the config text, as Vector and Docker
 * Compose do. A variable that is unset and has no default is an error with its line number;
 * interpolation happens before YAML parsing so values keep their YAML types.
 */
export function interpolateEnv(text: string, env: NodeJS.ProcessEnv): { text: string; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const lines = text.split('\n');
  const out = lines.map((line, index) => {
    if (/^\s*#/.test(line)) return line;
    return line.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$$') return '$';
      const value = env[name as string];
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      issues.push({ path: `line ${index + 1}`, message: `environment variable ${name} is not set and has no default (write \${${name}:-default})` });
      return '';
    });
  });
  return { text: out.join('\n'), issues };
}

const OVERRIDE_PREFIX = 'CARGOSCOPE_CFG__';

/**
 * Overrides from the environment: `CARGOSCOPE_CFG__API__LISTEN=0.0.0.0:9780` sets `api.listen`.
 * Path segments are lower-cased (config keys are snake_case); values are parsed as YAML scalars by
 * the caller-supplied `parseScalar`.
 */
export function applyEnvOverrides(
  config: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  parseScalar: (text: string) => unknown,
): string[] {
  const applied: string[] = [];
  for (const [key, raw] of Object.entries(env)) {
    if (!key.startsWith(OVERRIDE_PREFIX) || raw === undefined) continue;
    const path = key.slice(OVERRIDE_PREFIX.length).toLowerCase().split('__').filter(Boolean);
    if (path.length === 0) continue;
    let node: Record<string, unknown> = config;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    node[path[path.length - 1] as string] = parseScalar(raw);
    applied.push(path.join('.'));
  }
  return applied;
}
