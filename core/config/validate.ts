import type { ZodError } from 'zod';
import type { ComponentRegistry } from '../component/registry';
import type { ComponentFactory, ComponentKind } from '../component/types';
import { joinPath, type ConfigIssue } from './errors';
import { topLevelSchema, type TopLevelConfig } from './schema';
import { SINK_DELIVERY_KEYS, sinkDeliverySchema, withDeliveryDefaults, type SinkDeliveryConfig } from './shared-schemas';

/** A component as the topology builds it: its factory, validated options and wiring. */
export interface ComponentSpec {
  readonly id: string;
  readonly kind: ComponentKind;
  readonly type: string;
  readonly factory: ComponentFactory;
  readonly options: unknown;
  readonly inputs: readonly string[];
  /** Sinks only: buffer, batch, retry, timeout and concurrency for the SinkRunner. */
  readonly delivery?: SinkDeliveryConfig;
}

export interface ValidatedConfig {
  readonly settings: Omit<TopLevelConfig, 'sources' | 'transforms' | 'sinks'>;
  readonly components: readonly ComponentSpec[];
}

const SECTIONS: ReadonlyArray<readonly [ComponentKind, 'sources' | 'transforms' | 'sinks']> = [
  ['source', 'sources'],
  ['transform', 'transforms'],
  ['sink', 'sinks'],
];

export function zodIssues(error: ZodError, prefix: string): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    const base = joinPath(prefix, ...issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: joinPath(base, key), message: 'unknown key' }));
    }
    return [{ path: base, message: issue.message }];
  });
}

/**
 * Validates a whole config in one pass and returns every problem found, each with its path:
 * the top level, each component's options against its type's schema, unknown types (with the
 * types that do exist), and the wiring (unknown inputs, sinks used as inputs, cycles).
 */
export function validateConfig(raw: unknown, registry: ComponentRegistry, defaultListen: string): ValidatedConfig | ConfigIssue[] {
  const top = topLevelSchema(defaultListen).safeParse(raw ?? {});
  if (!top.success) {
    // Component entries are still checked when the top level is wrong elsewhere, so one run
    // reports everything; zod already located top-level problems.
    const issues = zodIssues(top.error, '');
    const partial = (raw ?? {}) as Record<string, unknown>;
    return [...issues, ...checkComponents(partial, registry).issues];
  }
  const { sources, transforms, sinks, ...settings } = top.data;
  const { specs, issues } = checkComponents({ sources, transforms, sinks }, registry);
  if (issues.length > 0) return issues;
  return deepFreeze({ settings, components: specs });
}

function checkComponents(raw: Record<string, unknown>, registry: ComponentRegistry): { specs: ComponentSpec[]; issues: ConfigIssue[] } {
  const specs: ComponentSpec[] = [];
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, ComponentKind>();
  for (const [kind, section] of SECTIONS) {
    const entries = raw[section];
    if (entries === null || typeof entries !== 'object') continue;
    for (const [id, entry] of Object.entries(entries as Record<string, unknown>)) {
      const path = joinPath(section, id);
      const other = seen.get(id);
      if (other) issues.push({ path, message: `id '${id}' is already used by a ${other}; ids must be unique across sources, transforms and sinks` });
      seen.set(id, kind);
      const spec = checkComponent(kind, id, path, entry, registry, issues);
      if (spec) specs.push(spec);
    }
  }
  issues.push(...checkWiring(specs, seen));
  return { specs, issues };
}

function checkComponent(kind: ComponentKind, id: string, path: string, entry: unknown, registry: ComponentRegistry, issues: ConfigIssue[]): ComponentSpec | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    issues.push({ path, message: 'expected a mapping with a `type`' });
    return undefined;
  }
  const { type, inputs, ...rest } = entry as Record<string, unknown>;
  if (typeof type !== 'string') {
    issues.push({ path: joinPath(path, 'type'), message: `required; one of: ${registry.types(kind).join(', ') || '(none registered)'}` });
    return undefined;
  }
  const factory = registry.get(kind, type);
  if (!factory) {
    issues.push({ path: joinPath(path, 'type'), message: `unknown ${kind} type '${type}'; known ${kind} types: ${registry.types(kind).join(', ') || '(none)'}` });
    return undefined;
  }
  const inputList = checkInputs(kind, path, inputs, issues);
  let delivery: SinkDeliveryConfig | undefined;
  const own: Record<string, unknown> = { ...rest };
  if (kind === 'sink') {
    const deliveryRaw: Record<string, unknown> = {};
    for (const key of SINK_DELIVERY_KEYS) {
      if (!(key in own)) continue;
      deliveryRaw[key] = own[key];
      delete own[key];
    }
    const parsed = sinkDeliverySchema.safeParse(withDeliveryDefaults(deliveryRaw, factory.deliveryDefaults));
    if (parsed.success) delivery = parsed.data;
    else issues.push(...zodIssues(parsed.error, path));
  }
  const options = factory.schema.safeParse(own);
  if (!options.success) {
    issues.push(...zodIssues(options.error, path));
    return undefined;
  }
  return { id, kind, type, factory, options: options.data, inputs: inputList, ...(delivery ? { delivery } : {}) };
}

function checkInputs(kind: ComponentKind, path: string, inputs: unknown, issues: ConfigIssue[]): string[] {
  if (kind === 'source') {
    if (inputs !== undefined) issues.push({ path: joinPath(path, 'inputs'), message: 'sources take no inputs' });
    return [];
  }
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((i) => typeof i === 'string')) {
    issues.push({ path: joinPath(path, 'inputs'), message: 'required: a non-empty list of source or transform ids' });
    return [];
  }
  return inputs;
}

/** `declared` holds every id in the file, valid or not, so one bad component causes one error. */
function checkWiring(specs: readonly ComponentSpec[], declared: ReadonlyMap<string, ComponentKind>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const byId = new Map(specs.map((s) => [s.id, s]));
  for (const spec of specs) {
    spec.inputs.forEach((input, i) => {
      const kind = declared.get(input);
      const path = joinPath(`${spec.kind}s`, spec.id, 'inputs', i);
      if (!kind) issues.push({ path, message: `unknown component '${input}'` });
      else if (kind === 'sink') issues.push({ path, message: `'${input}' is a sink; sinks cannot be inputs` });
    });
  }
  const cycle = findTransformCycle(specs, byId);
  if (cycle) issues.push({ path: joinPath('transforms', cycle[0] as string, 'inputs'), message: `cycle: ${cycle.join(' → ')}` });
  return issues;
}

function findTransformCycle(specs: readonly ComponentSpec[], byId: Map<string, ComponentSpec>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...trail.slice(trail.indexOf(id)), id];
    state.set(id, 'visiting');
    for (const input of byId.get(id)?.inputs ?? []) {
      if (byId.get(input)?.kind !== 'transform') continue;
      const found = visit(input, [...trail, id]);
      if (found) return found;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const spec of specs) if (spec.kind === 'transform') {
    const found = visit(spec.id, []);
    if (found) return found;
  }
  return undefined;
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) {
      // Factories are shared singletons owned by the registry, not config: leave them alone.
      if (child !== null && typeof child === 'object' && !('create' in child)) deepFreeze(child);
    }
  }
  return value;
}
