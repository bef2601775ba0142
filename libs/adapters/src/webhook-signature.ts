import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-metaloop-signature';
export const DELIVERY_HEADER = 'x-metaloop-delivery';

const hmac = (secret: string, timestamp: number, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmac(secret, timestampSeconds, body)}`;
}

/**
 * For the receiving router: true when `header` carries a valid signature of the raw `body` made
 * with `secret` at most `toleranceSeconds` away from now (a replayed old delivery fails).
 * Several `v1=` entries are allowed, so a sender may sign with an old and a new secret.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string,
  toleranceSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  if (!header) return false;
  const entries = header.split(',').map((part) => part.trim().split('='));
  const timestamp = Number(entries.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  return entries
    .filter(([key, value]) => key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/i.test(value))
    .some(([, value]) => timingSafeEqual(Buffer.from(value!, 'hex'), expected));
}
