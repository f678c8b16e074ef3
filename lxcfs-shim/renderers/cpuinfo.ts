import { linesOf } from './format';
import type { CpuVisibility } from './cpus';
import { isVisible } from './cpus';

const PROCESSOR_LINE = /^processor\s*:\s*(\d+)\s*$/;

/**
 * /proc/cpuinfo trimmed to the visible CPUs, renumbered from 0 (programs count "processor"
 * lines and index from 0). Blocks of hidden CPUs are dropped whole. With a CPU view limit only
 * the first `maxCpus` visible CPUs are kept. (s390x's different layout is not handled.)
 */
export function renderCpuinfo(host: string, v: CpuVisibility): string {
  let out = '';
  let printing = true;
  let shown = 0;
  for (const line of linesOf(host)) {
    const m = PROCESSOR_LINE.exec(line.trimEnd());
    if (m !== null) {
      if (v.maxCpus !== null && shown === v.maxCpus) break;
      printing = isVisible(Number(m[1]), v);
      if (printing) out += `processor\t: ${shown++}\n`;
      continue;
    }
    if (printing) out += line;
  }
  return out;
}
