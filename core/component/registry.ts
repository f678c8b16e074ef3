import type { ComponentFactory, ComponentKind } from './types';

/**
 * Component types by kind and lower_snake_case name. One registry per process, built by the CLI
 * from the parts it runs, so tests can build their own with fakes.
 */
export class ComponentRegistry {
  private readonly byKind: Record<ComponentKind, Map<string, ComponentFactory>> = {
    source: new Map(),
    transform: new Map(),
    sink: new Map(),
  };

  register<K extends ComponentKind, C>(factory: ComponentFactory<K, C>): this {
    if (!/^[a-z][a-z0-9_]*$/.test(factory.type)) {
      throw new Error(`component type '${factory.type}' is not lower_snake_case`);
    }
    const table = this.byKind[factory.kind];
    if (table.has(factory.type)) throw new Error(`${factory.kind} type '${factory.type}' registered twice`);
    table.set(factory.type, factory);
    return this;
  }

  get(kind: ComponentKind, type: string): ComponentFactory | undefined {
    return this.byKind[kind].get(type);
  }

  types(kind: ComponentKind): string[] {
    return [...this.byKind[kind].keys()].sort();
  }

  factories(): ComponentFactory[] {
    return [...this.byKind.source.values(), ...this.byKind.transform.values(), ...this.byKind.sink.values()];
  }
}
