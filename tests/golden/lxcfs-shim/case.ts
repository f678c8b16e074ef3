import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { DeviceIo } from '../../../core/cgroup';
import type { CpuVisibility } from '../../../lxcfs-shim/renderers/cpus';
import { renderCpuOnline } from '../../../lxcfs-shim/renderers/cpu-online';
import { renderCpuinfo } from '../../../lxcfs-shim/renderers/cpuinfo';
import { renderDiskstats } from '../../../lxcfs-shim/renderers/diskstats';
import type { LoadavgInput } from '../../../lxcfs-shim/renderers/loadavg';
import { renderLoadavg } from '../../../lxcfs-shim/renderers/loadavg';
import type { MeminfoInput } from '../../../lxcfs-shim/renderers/meminfo';
import { renderMeminfo } from '../../../lxcfs-shim/renderers/meminfo';
import type { StatUsage } from '../../../lxcfs-shim/renderers/stat';
import { renderStat } from '../../../lxcfs-shim/renderers/stat';
import { renderSwaps } from '../../../lxcfs-shim/renderers/swaps';
import type { UptimeInput } from '../../../lxcfs-shim/renderers/uptime';
import { renderUptime } from '../../../lxcfs-shim/renderers/uptime';
import { swapsFromMemory } from '../../../lxcfs-shim/view/gather';

/** Everything the pure renderers need for one golden case (input.json). */
export interface RenderCaseInput {
  readonly description: string;
  readonly memory: MeminfoInput;
  readonly visibility: CpuVisibility;
  readonly statUsage: StatUsage;
  readonly uptime: UptimeInput;
  readonly loadavg: LoadavgInput;
  readonly devices: readonly DeviceIo[] | null;
}

export const HOST_FILES = ['meminfo', 'cpuinfo', 'stat', 'diskstats', 'online'] as const;
export const OUTPUT_FILES = ['meminfo', 'cpuinfo', 'stat', 'uptime', 'loadavg', 'diskstats', 'swaps', 'online'] as const;
export type OutputFile = (typeof OUTPUT_FILES)[number];

export function loadCase(dir: string): { input: RenderCaseInput; host: Record<(typeof HOST_FILES)[number], string> } {
  const input = JSON.parse(readFileSync(join(dir, 'input.json'), 'utf8')) as RenderCaseInput;
  const host = Object.fromEntries(HOST_FILES.map((f) => [f, readFileSync(join(dir, 'host', f), 'utf8')])) as Record<(typeof HOST_FILES)[number], string>;
  return { input, host };
}

/** Renders every file of a case with the pure renderers only. */
export function renderCase(dir: string): Record<OutputFile, string> {
  const { input, host } = loadCase(dir);
  return {
    meminfo: renderMeminfo(host.meminfo, input.memory),
    cpuinfo: renderCpuinfo(host.cpuinfo, input.visibility),
    stat: renderStat(host.stat, input.visibility, input.statUsage),
    uptime: renderUptime(input.uptime),
    loadavg: renderLoadavg(input.loadavg),
    diskstats: renderDiskstats(host.diskstats, input.devices),
    swaps: renderSwaps(swapsFromMemory(host.meminfo, input.memory)),
    online: renderCpuOnline(host.online, input.visibility),
  };
}
