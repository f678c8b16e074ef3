import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYamlScalar, parseDocument } from 'yaml';
import type { ComponentRegistry } from '../component/registry';
import { ConfigError, type ConfigIssue } from './errors';
import { applyEnvOverrides, interpolateEnv } from './interpolate';
import { validateConfig, type ValidatedConfig } from './validate';

export interface LoadOptions {
  readonly registry: ComponentRegistry;
  /** The command's default `api.listen` (each process kind has its own port). */
  readonly defaultListen: string;
  readonly env?: NodeJS.ProcessEnv;
  /** For messages and for resolving a relative `data_dir`. */
  readonly file?: string;
}

/** Parses YAML text (after env interpolation) and validates it; throws ConfigError with every issue. */
export function loadConfigText(text: string, options: LoadOptions): ValidatedConfig {
  const env = options.env ?? process.env;
  const interpolated = interpolateEnv(text, env);
  // A failed substitution leaves text that would only produce confusing YAML errors: stop here.
  if (interpolated.issues.length > 0) throw new ConfigError(interpolated.issues, options.file);
  const issues: ConfigIssue[] = [];
  const doc = parseDocument(interpolated.text, { prettyErrors: true, uniqueKeys: true });
  for (const err of doc.errors) {
    const line = err.linePos?.[0];
    const message = (err.message.split('\n')[0] ?? err.message).replace(/ at line \d+, column \d+:?$/, '');
    issues.push({ path: line ? `line ${line.line}, column ${line.col}` : '(yaml)', message });
  }
  if (issues.length > 0) throw new ConfigError(issues, options.file);
  const raw: unknown = doc.toJS() ?? {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([{ path: '', message: 'the config must be a YAML mapping' }], options.file);
  }
  applyEnvOverrides(raw as Record<string, unknown>, env, (value) => parseYamlScalar(value) as unknown);
  const result = validateConfig(raw, options.registry, options.defaultListen);
  if (Array.isArray(result)) throw new ConfigError(result, options.file);
  return options.file ? resolveDataDir(result, options.file) : result;
}

export async function loadConfigFile(file: string, options: Omit<LoadOptions, 'file'>): Promise<ValidatedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '', message: `cannot read: ${(err as Error).message}` }], file);
  }
  return loadConfigText(text, { ...options, file });
}

function resolveDataDir(config: ValidatedConfig, file: string): ValidatedConfig {
  const dataDir = config.settings.data_dir;
  if (path.isAbsolute(dataDir)) return config;
  // A relative data_dir is relative to where the process runs, like every CLI path, except when
  // the config lives elsewhere: then next to the config, so a config file carries its state along.
  const resolved = path.resolve(path.dirname(path.resolve(file)), dataDir);
  return Object.freeze({ ...config, settings: Object.freeze({ ...config.settings, data_dir: resolved }) });
}
