import assert from 'node:assert/strict';
import type { MetricSample } from '../../../../core/event';
import { CONTAINER_LABEL, CONTAINER_METRIC as M } from '../../../../core/naming';
import { DeviceNames } from '../../../../collector/scrape/devices';
import { mapCadvisorStats } from '../../../../collector/sources/cadvisor/map';
import { mapCgroupReadings } from '../../../../collector/sources/cgroup/map';
import { mapDockerStats } from '../../../../collector/sources/docker_stats/map';
import { discovered } from '../helpers';

const PARTITIONS = `major minor  #blocks  name

   8        0  104857600 sda
   8        1  104856576 sda1
 253        0   52428800 dm-0
`;

/** Per device: [major, minor, readBytes, writeBytes, readOps, writeOps]. */
type Io = readonly [number, number, number, number, number, number];
const IO: readonly Io[] = [[8, 0, 4096, 8192, 1, 2], [253, 0, 512, 0, 3, 0], [259, 7, 100, 200, 5, 6]];

function byDevice(samples: readonly MetricSample[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const s of samples) {
    const device = s.labels?.[CONTAINER_LABEL.device];
    if (device !== undefined) (out[device] ??= {})[s.name] = s.value;
  }
  return out;
}

function fromCgroup(names: DeviceNames): MetricSample[] {
  const devices = IO.map(([major, minor, readBytes, writeBytes, readOps, writeOps]) => ({
    major, minor, readBytes, writeBytes, readOps, writeOps, discardBytes: 0, discardOps: 0,
  }));
  const readings = { cpu: null, memory: null, blkio: { version: 1 as const, devices, source: 'x', problems: [] }, pids: null, cpusetCpus: null, network: null };
  return mapCgroupReadings(readings, discovered('a'), names.name);
}

function fromDockerStats(names: DeviceNames): MetricSample[] {
  const entries = (pick: (io: Io) => [number, number]) => IO.flatMap((io) => {
    const [r, w] = pick(io);
    return [{ major: io[0], minor: io[1], op: 'Read', value: r }, { major: io[0], minor: io[1], op: 'Write', value: w }, { major: io[0], minor: io[1], op: 'Total', value: r + w }];
  });
  const stats = {
    read: '2024-01-01T00:00:10Z', cpu_stats: {}, memory_stats: {},
    blkio_stats: { io_service_bytes_recursive: entries((io) => [io[2], io[3]]), io_serviced_recursive: entries((io) => [io[4], io[5]]) },
  };
  return mapDockerStats(stats, discovered('a'), undefined, names.name).samples;
}

/** cAdvisor names whole disks it knows from /sys/block and leaves others (here 253:0) unnamed. */
function fromCadvisor(names: DeviceNames, cadvisorNames: Record<string, string>): MetricSample[] {
  const disks = (pick: (io: Io) => [number, number]) => IO.map((io) => {
    const [r, w] = pick(io);
    const device = cadvisorNames[`${io[0]}:${io[1]}`] ?? '';
    return { device, major: io[0], minor: io[1], stats: { Read: r, Write: w, Total: r + w } };
  });
  const stats = { diskio: { io_service_bytes: disks((io) => [io[2], io[3]]), io_serviced: disks((io) => [io[4], io[5]]) } };
  return mapCadvisorStats(stats, discovered('a'), names.name);
}

describe('block device labels across the three metrics sources', () => {
  const names = DeviceNames.fromPartitions(PARTITIONS);

  it('labels the same device the same way from cgroup files, the Docker stats API and cAdvisor', () => {
    const cg = byDevice(fromCgroup(names));
    const ds = byDevice(fromDockerStats(names));
    const ca = byDevice(fromCadvisor(names, { '8:0': '/dev/sda' }));
    assert.deepEqual(Object.keys(cg).sort(), ['/dev/dm-0', '/dev/sda', '259:7']);
    assert.deepEqual(ds, cg, 'docker_stats vs cgroup');
    assert.deepEqual(ca, cg, 'cadvisor vs cgroup');
    assert.equal(cg['/dev/sda']?.[M.fsReadsBytes], 4096);
    assert.equal(cg['/dev/sda']?.[M.fsWrites], 2);
  });

  it("keeps cAdvisor's own name for a device our table does not know, and major:minor when neither does", () => {
    const ca = byDevice(fromCadvisor(names, { '259:7': '/dev/nvme0n1' }));
    assert.deepEqual(Object.keys(ca).sort(), ['/dev/dm-0', '/dev/nvme0n1', '/dev/sda']);
    const bare = DeviceNames.fromPartitions('');
    assert.deepEqual(Object.keys(byDevice(fromDockerStats(bare))).sort(), ['253:0', '259:7', '8:0']);
  });

  it('reads /proc/partitions-shaped text into /dev names', () => {
    assert.equal(names.name('8:1'), '/dev/sda1');
    assert.equal(names.name('9:9'), '9:9');
  });
});
