import type { ComponentFactory, ComponentKind } from './types';

/** A registered type: its factory, or until first asked for, how to load it. */
interface Entry {
  factory?: ComponentFactory;
  readonly load?: () => ComponentFactory;
}

/**
 * Component types by kind and lower_snake_case name. One registry per process, built by the CLI
 * from the parts it runs, so tests can build their own with fakes. A type can be registered
 * lazily: its module is loaded the first time a config (or a listing) asks for it.
 */
export class ComponentRegistry {
  private readonly byKind: Record<ComponentKind, Map<string, Entry>> = {
    source: new Map(),
    transform: new Map(),
    sink: new Map(),
  };

  register<K extends ComponentKind, C>(factory: ComponentFactory<K, C>): this {
    this.add(factory.kind, factory.type, { factory });
    return this;
  }

  /** Registers `type` now and loads its module only when it is first looked up. */
  registerLazy(kind: ComponentKind, type: string, load: () => ComponentFactory): this {
    this.add(kind, type, { load });
    return this;
  }

  get(kind: ComponentKind, type: string): ComponentFactory | undefined {
    const entry = this.byKind[kind].get(type);
    if (!entry) return undefined;
    if (!entry.factory && entry.load) {
      const factory = entry.load();
      // The lazy table in the CLI names each type twice (there and in its module): they must agree.
      if (factory.kind !== kind || factory.type !== type) {
        throw new Error(`${kind} type '${type}' loaded a factory for ${factory.kind} type '${factory.type}'`);
      }
      entry.factory = factory;
    }
    return entry.factory;
  }

  types(kind: ComponentKind): string[] {
    return [...this.byKind[kind].keys()].sort();
  }

  /** Every factory, loading the lazy ones. */
  factories(): ComponentFactory[] {
    const kinds: ComponentKind[] = ['source', 'transform', 'sink'];
    return kinds.flatMap((kind) => [...this.byKind[kind].keys()].map((type) => this.get(kind, type) as ComponentFactory));
  }

  private add(kind: ComponentKind, type: string, entry: Entry): void {
    if (!/^[a-z][a-z0-9_]*$/.test(type)) throw new Error(`component type '${type}' is not lower_snake_case`);
    const table = this.byKind[kind];
    if (table.has(type)) throw new Error(`${kind} type '${type}' registered twice`);
    table.set(type, entry);
  }
}
