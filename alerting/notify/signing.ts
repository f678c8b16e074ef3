import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>`, sent as
 *   X-Cargoscope-Timestamp: <unix seconds>
 *   X-Cargoscope-Signature: sha256=<hex>
 * Signing the timestamp with the body lets receivers reject replays older than they tolerate.
 */
export const SIGNATURE_HEADER = 'x-cargoscope-signature';
export const TIMESTAMP_HEADER = 'x-cargoscope-timestamp';

export function sign(secret: string, body: string, timestampSecs: number): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSecs}.${body}`).digest('hex')}`;
}

export function signatureHeaders(secret: string | undefined, body: string, nowMs: number): Record<string, string> {
  if (!secret) return {};
  const ts = Math.floor(nowMs / 1000);
  return { [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: sign(secret, body, ts) };
}

/** Constant-time check of a received signature, with an optional replay window. */
export function verifySignature(
  secret: string, body: string, timestampHeader: string | undefined, signatureHeader: string | undefined,
  opts: { nowMs?: number; toleranceSecs?: number } = {},
): boolean {
  if (!timestampHeader || !signatureHeader) return false;
  const ts = Number(timestampHeader);
  if (!Number.isInteger(ts)) return false;
  if (opts.toleranceSecs !== undefined && Math.abs((opts.nowMs ?? Date.now()) / 1000 - ts) > opts.toleranceSecs) return false;
  const expected = Buffer.from(sign(secret, body, ts));
  const got = Buffer.from(signatureHeader);
  return expected.length === got.length && timingSafeEqual(expected, got);
}
