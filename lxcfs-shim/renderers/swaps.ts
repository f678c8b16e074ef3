import type { SwapFigures } from './swap';

const HEADER = 'Filename\t\t\t\tType\t\tSize\tUsed\tPriority\n';

/** /proc/swaps as lxcfs prints it: one virtual device sized by the swap limit, or none. */
export function renderSwaps(s: SwapFigures): string {
  if (s.totalKb <= 0) return HEADER;
  return `${HEADER}none${' '.repeat(36)}virtual\t\t${s.totalKb}\t${s.usedKb}\t0\n`;
}
