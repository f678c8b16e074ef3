import type { LogRecord } from '../../../core/event';

/** A slice `[start, end)` of decoded records and the checkpoint its delivery allows. */
export interface PlannedBatch {
  readonly start: number;
  readonly end: number;
  /** Once this batch and all before it are delivered, a restart may begin here. */
  readonly checkpoint: number;
  /** Estimated like core/event's `estimateBytes`, so the in-flight bound matches the queues'. */
  readonly bytes: number;
}

/** Per-batch and per-record overheads of core/event's `estimateBytes` for logs. */
export const BATCH_OVERHEAD_BYTES = 512;
export const RECORD_OVERHEAD_BYTES = 160;

/**
 * Cuts records into batches by count and bytes, and gives each the checkpoint it may commit.
 * Records complete out of file order (a joined partial record finishes after lines of the other
 * stream that came later in the file), so a batch's checkpoint is the lowest offset of anything
 * not yet in it or before it — records of later batches and what the decoder still holds
 * (`safeOffset`) — never merely its own last record's end.
 */
export function planBatches(records: readonly LogRecord[], safeOffset: number, maxRecords: number, maxBytes: number): PlannedBatch[] {
  const n = records.length;
  if (n === 0) return [];
  // suffixMin[i] = lowest start offset among records[i..]: what batch ending at i must not pass.
  const suffixMin = new Array<number>(n + 1);
  suffixMin[n] = safeOffset;
  for (let i = n - 1; i >= 0; i--) suffixMin[i] = Math.min((records[i] as LogRecord).origin.offset, suffixMin[i + 1] as number);
  const out: PlannedBatch[] = [];
  let start = 0;
  while (start < n) {
    let end = start;
    let bytes = BATCH_OVERHEAD_BYTES;
    while (end < n && end - start < maxRecords && bytes < maxBytes) {
      bytes += (records[end] as LogRecord).message.length + RECORD_OVERHEAD_BYTES;
      end++;
    }
    out.push({ start, end, checkpoint: suffixMin[end] as number, bytes });
    start = end;
  }
  return out;
}

/**
 * The checkpoint each batch may commit once it and all before it are delivered: the lowest start
 * offset of anything after it (later batches, then what the decoder still holds), as above.
 */
export function batchCheckpoints(batches: readonly { readonly minOffset: number }[], safeOffset: number): number[] {
  const out = new Array<number>(batches.length);
  let after = safeOffset;
  for (let i = batches.length - 1; i >= 0; i--) {
    out[i] = after;
    after = Math.min((batches[i] as { minOffset: number }).minOffset, after);
  }
  return out;
}
