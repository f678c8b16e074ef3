import { ConfigError } from '../../core/config';
import { parseYamlWith, validateWith } from '../yaml-config';
import { ruleFileSchema, ruleSchema, type Rule } from './schema';

/** A rule file (`rules: [...]`); every error is reported with its path (`rules.3.clear_threshold`). */
export function loadRules(text: string, file?: string): readonly Rule[] {
  const rules = parseYamlWith(ruleFileSchema, text, file).rules;
  assertUniqueNames(rules, file);
  return rules;
}

export function parseRule(data: unknown): Rule {
  return validateWith(ruleSchema, data);
}

/** Two rules with one name would share fingerprints and silently merge their alerts. */
function assertUniqueNames(rules: readonly Rule[], file?: string): void {
  const seen = new Map<string, number>();
  const dupes: Array<{ path: string; message: string }> = [];
  rules.forEach((r, i) => {
    const key = `${r.alert}\u0000${JSON.stringify(r.labels)}`;
    const first = seen.get(key);
    if (first !== undefined) dupes.push({ path: `rules.${i}.alert`, message: `same alert name and labels as rules.${first}` });
    else seen.set(key, i);
  });
  if (dupes.length > 0) throw new ConfigError(dupes, file);
}
