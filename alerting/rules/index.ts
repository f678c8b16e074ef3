export { loadRules, parseRule } from './load';
export { ruleFileSchema, ruleSchema, SELECTOR_LABELS } from './schema';
export type { Rule } from './schema';
