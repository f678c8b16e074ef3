import { readFile } from 'node:fs/promises';
import { parsePartitions } from './procfs';

/**
 * Names block devices the way cAdvisor does (`/dev/sda`) from /proc/partitions. Loaded once; an
 * unknown device (hot-plugged disk) triggers a reload at most once a minute, never per sample.
 */
export class DeviceNames {
  private names = new Map<string, string>();
  private loadedAtMs = 0;

  constructor(private readonly path = '/proc/partitions') {}

  async load(): Promise<void> {
    try {
      this.names = parsePartitions(await readFile(this.path, 'utf8'));
    } catch {
      // Without /proc/partitions (a container without /proc mounted) devices keep major:minor.
    }
    this.loadedAtMs = Date.now();
  }

  name(key: string): string {
    const known = this.names.get(key);
    if (known) return known;
    if (Date.now() - this.loadedAtMs > 60_000) void this.load();
    return key;
  }
}
