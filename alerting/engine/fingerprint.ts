/**
 * The fingerprint Prometheus and Alertmanager give a label set: FNV-1a 64 over the label names and
 * values in name order, each followed by a 0xff separator, as 16 hex digits. Using the same
 * function means our alerts and Alertmanager's agree on identity.
 *
 * 64-bit arithmetic in four 16-bit limbs: BigInt would be simpler but is ~20× slower, and every
 * new alert needs one.
 */
const PRIME_LOW = 0x1b3; // FNV prime = 2^40 + 0x1b3

export function labelsFingerprint(labels: Readonly<Record<string, string>>): string {
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  const add = (byte: number): void => {
    h0 ^= byte;
    const t0 = h0 * PRIME_LOW;
    let t1 = h1 * PRIME_LOW;
    let t2 = h2 * PRIME_LOW + (h0 << 8);
    let t3 = h3 * PRIME_LOW + (h1 << 8);
    t1 += t0 >>> 16;
    t2 += t1 >>> 16;
    t3 += t2 >>> 16;
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  };
  const addString = (s: string): void => {
    // ASCII is hashed straight from the string; anything else goes through its UTF-8 bytes.
    let ascii = true;
    for (let i = 0; i < s.length && ascii; i += 1) ascii = s.charCodeAt(i) < 0x80;
    if (ascii) {
      for (let i = 0; i < s.length; i += 1) add(s.charCodeAt(i));
    } else {
      for (const b of Buffer.from(s, 'utf8')) add(b);
    }
    add(0xff);
  };
  for (const name of Object.keys(labels).sort()) {
    addString(name);
    addString(labels[name] ?? '');
  }
  const hex = (n: number): string => n.toString(16).padStart(4, '0');
  return hex(h3) + hex(h2) + hex(h1) + hex(h0);
}
