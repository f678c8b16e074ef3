import { setFlagsFromString } from 'node:v8';

/**
 * The collector's records live until Kafka acknowledges them (the aggregator's, until
 * Elasticsearch does), so they survive young-generation
 * collections and die in the old generation. V8 lets the old generation grow to up to 4× what
 * survived the last full collection before it collects again; shipping flat out, that was
 * ~420 MiB of heap (~110 MiB of it live) and 540 MiB of RSS. A smaller growing factor makes
 * full collections come sooner, so the heap stays near twice the live set (which
 * `max_in_flight_bytes` bounds). The marking work is about (bytes promoted) / (growth), whatever
 * the live size, so the factor sets the CPU cost: measured in the docker-logs bench (256 B lines,
 * same machine, back to back), 100% cost ~10% more CPU than V8's own, 75% ~25%, 50% ~50%.
 *
 * Unlike `--max-old-space-size`, this flag can be set after start (V8 reads it each time it sets
 * the next limit), so it needs no re-exec, and it is no hard cap: a live set above any figure
 * cannot crash the process with an out-of-memory abort.
 */
export const HEAP_GROWING_PERCENT = 100;

/**
 * Applies the heap growing factor of the collector and the aggregator, unless the operator gave node one of their own;
 * `CARGOSCOPE_HEAP_GROWING_PERCENT` overrides the figure (0: leave V8's own heuristics).
 */
export function tuneHeap(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): number | undefined {
  const own = [...execArgv, nodeOptions].some((a) => /heap[-_]growing[-_]percent/.test(a));
  if (own) return undefined;
  const raw = process.env.CARGOSCOPE_HEAP_GROWING_PERCENT;
  const fromEnv = raw === undefined || raw === '' ? NaN : Number(raw);
  const percent = Number.isInteger(fromEnv) && fromEnv >= 0 ? fromEnv : HEAP_GROWING_PERCENT;
  if (percent === 0) return undefined;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
