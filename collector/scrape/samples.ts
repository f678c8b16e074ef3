import type { MetricSample } from '../../core/event';

/**
 * Appends samples for one container. Label objects for devices and interfaces are interned so a
 * node with hundreds of containers does not allocate the same `{ interface: 'eth0' }` every scrape.
 */
export class SampleBuilder {
  readonly samples: MetricSample[] = [];

  counter(name: string, value: number | undefined, labels?: Readonly<Record<string, string>>): this {
    if (value !== undefined && Number.isFinite(value)) this.samples.push(sample(name, 'counter', value, labels));
    return this;
  }

  gauge(name: string, value: number | undefined, labels?: Readonly<Record<string, string>>): this {
    if (value !== undefined && Number.isFinite(value)) this.samples.push(sample(name, 'gauge', value, labels));
    return this;
  }
}

function sample(
  name: string,
  kind: MetricSample['kind'],
  value: number,
  labels: Readonly<Record<string, string>> | undefined,
): MetricSample {
  // One shape for every sample (labels always present, maybe undefined) keeps V8's inline caches mono.
  return { name, kind, value, labels };
}

const interned = new Map<string, Readonly<Record<string, string>>>();
const MAX_INTERNED = 10_000;

/** A frozen single-label object, shared between scrapes and containers. */
export function oneLabel(key: string, value: string): Readonly<Record<string, string>> {
  const k = `${key}\u0000${value}`;
  let labels = interned.get(k);
  if (!labels) {
    if (interned.size >= MAX_INTERNED) interned.clear(); // bounded: device/interface names are few
    labels = Object.freeze({ [key]: value });
    interned.set(k, labels);
  }
  return labels;
}

export const NS_PER_SEC = 1e9;
export const US_PER_SEC = 1e6;
