/** The kernel's and lxcfs's meminfo layout: label padded to 16 columns, value to 8, then " kB". */
export function kbLine(label: string, kb: number): string {
  return `${label.padEnd(16)}${String(kb).padStart(8)} kB\n`;
}

/** Splits text into lines that keep their "\n", so untouched lines pass through byte for byte. */
export function linesOf(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl + 1;
    out.push(text.slice(start, end));
    start = end;
  }
  return out;
}

/** Bytes to kB, truncating like lxcfs's integer division. */
export function kb(bytes: number): number {
  return Math.floor(bytes / 1024);
}

/** The first integer after a "Label:" in a meminfo line, or 0. */
export function meminfoValue(line: string): number {
  const m = /^[^:]+:\s*(\d+)/.exec(line);
  return m === null ? 0 : Number(m[1]);
}

/** The value of one meminfo field in a host meminfo text (kB), or 0 when absent. */
export function hostMeminfoField(text: string, label: string): number {
  const at = text.indexOf(`\n${label}:`);
  const start = text.startsWith(`${label}:`) ? 0 : at === -1 ? -1 : at + 1;
  if (start === -1) return 0;
  return meminfoValue(text.slice(start, text.indexOf('\n', start)));
}
