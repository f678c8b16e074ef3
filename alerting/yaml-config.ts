import { parseDocument } from 'yaml';
import type { ZodType } from 'zod';
import { ConfigError, deepFreeze, zodIssues, type ConfigIssue } from '../core/config';

/**
 * Parses a YAML document against a schema and reports every problem with its path, the way the
 * main config does, so rule and policy files fail at start with all their errors at once.
 */
export function parseYamlWith<T>(schema: ZodType<T>, text: string, file?: string): T {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const issues: ConfigIssue[] = doc.errors.map((e) => ({ path: `line ${e.linePos?.[0]?.line ?? '?'}`, message: e.message }));
    throw new ConfigError(issues, file);
  }
  return validateWith(schema, doc.toJS() as unknown, file);
}

/** Validates already-parsed data (inline config) with the same error shape. */
export function validateWith<T>(schema: ZodType<T>, data: unknown, file?: string, prefix = ''): T {
  const parsed = schema.safeParse(data ?? {});
  if (!parsed.success) throw new ConfigError(zodIssues(parsed.error, prefix), file);
  return deepFreeze(parsed.data);
}
