/**
 * cgroup v1 and v2 readers shared by the collector's `cgroup` metrics source and the lxcfs shim.
 *
 * Usage:
 *   const resolver = new CgroupResolver();
 *   const loc = await resolver.locate(pid);            // Result<CgroupLocation>
 *   if (loc.ok) {
 *     const mem = loc.value.dirs.get('memory');
 *     if (mem) await readMemory(nodeCgroupFs, mem);     // MemoryStats (never throws)
 *   }
 * Or, for a known directory (e.g. /sys/fs/cgroup/memory/docker/<id>), build a ControllerDir
 * with `controllerDir(...)` and call the readers directly.
 * Every reader returns typed values plus `problems` naming each file that was missing,
 * unreadable or malformed; none throws for I/O reasons.
 */
export type { FileProblem, FileProblemReason, FileRead, Result } from './problem';
export { problemFromError } from './problem';
export type { CgroupFs } from './fs';
export { nodeCgroupFs, readSmallFile } from './fs';
export type { FileSet } from './files';
export { readFileSet } from './files';
export type { CgroupLocation, CgroupMount, Controller, ControllerDir, ProcCgroupEntry } from './mounts';
export { CONTROLLERS, ancestorDirs, controllerDir, isRootCgroup, locateCgroups, parseMountinfo, parseProcCgroup } from './mounts';
export type { CgroupResolverOptions } from './resolver';
export { CgroupResolver, locateFromTexts } from './resolver';
export type { CpuMax, CpuTimes, DeviceIo } from './parse';
export {
  formatCpuList, parseBlkioLines, parseCpuList, parseCpuMax, parseFlatKeyed, parseInt64, parseIoStat,
  parseLimit, parseUint, parseUintList, parseUsageAll,
} from './parse';
export type { EffectiveLimit, MemoryEvents, MemoryStatFields, MemoryStats } from './memory';
export { MEMORY_V1_FILES, MEMORY_V2_FILES, effectiveMemoryLimit, memoryFromFiles, minLimit, readMemory } from './memory';
export type { MemoryStatSlots } from './memory-scan';
export { memoryStatFieldsFromSlots, memoryStatValue, scanMemoryStat } from './memory-scan';
export type { CpuQuota, CpuStats, CpuThrottling } from './cpu';
export { CPUACCT_V1_FILES, CPU_V1_FILES, CPU_V2_FILES, USER_HZ, cpuFromFiles, readCpu } from './cpu';
export type { CpusetReading, CpusetView } from './cpuset';
export { cpusetFileNames, pickCpuset, readCpuset } from './cpuset';
export type { BlkioStats } from './blkio';
export { BLKIO_V1_FILES, BLKIO_V2_FILES, blkioFromFiles, readBlkio } from './blkio';
export type { PidsStats } from './pids';
export { PIDS_FILES, pidsFromFiles, readPids } from './pids';
