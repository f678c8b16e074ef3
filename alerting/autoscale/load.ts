import { parseYamlWith, validateWith } from '../yaml-config';
import { policyFileSchema, policySchema, type AutoscalePolicy } from './schema';

/** A policy file: `policies: [...]`, each checked; errors carry paths like `policies.0.max_replicas`. */
export function loadPolicies(text: string, file?: string): readonly AutoscalePolicy[] {
  return parseYamlWith(policyFileSchema, text, file).policies;
}

/** One policy from already-parsed data (tests, inline config). */
export function parsePolicy(data: unknown): AutoscalePolicy {
  return validateWith(policySchema, data);
}
