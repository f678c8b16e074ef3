import { readFile } from 'node:fs/promises';
import { parsePartitions } from './procfs';

/**
 * `major:minor` → the `device` label value. Every metrics source names block devices through
 * this, so the same disk carries the same label whether cgroup files, Docker's stats API (which
 * only knows numbers) or cAdvisor reported it.
 */
export type DeviceNamer = (majorMinor: string) => string;

/**
 * Names block devices the way cAdvisor does (`/dev/sda`) from /proc/partitions. Loaded once; an
 * unknown device (hot-plugged disk) triggers a reload at most once a minute, never per sample.
 * A device the table does not know keeps `major:minor`.
 */
export class DeviceNames {
  private names = new Map<string, string>();
  private loadedAtMs = 0;

  constructor(private readonly path = '/proc/partitions') {}

  /** A fixed table (tests, golden files): never reloads. */
  static fromPartitions(text: string): DeviceNames {
    const d = new DeviceNames('');
    d.names = parsePartitions(text);
    d.loadedAtMs = Number.POSITIVE_INFINITY;
    return d;
  }

  async load(): Promise<void> {
    try {
      this.names = parsePartitions(await readFile(this.path, 'utf8'));
    } catch {
      // Without /proc/partitions (a container without /proc mounted) devices keep major:minor.
    }
    this.loadedAtMs = Date.now();
  }

  /** Bound, so it can be handed to the pure mappers as a DeviceNamer. */
  readonly name: DeviceNamer = (key) => {
    const known = this.names.get(key);
    if (known) return known;
    if (Date.now() - this.loadedAtMs > 60_000) void this.load();
    return key;
  };
}
