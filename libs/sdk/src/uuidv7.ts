const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const POOL_IDS = 128;
const pool = new Uint8Array(16 * POOL_IDS);
let next = POOL_IDS;

/**
 * RFC 9562 UUIDv7 (48-bit milliseconds, version, 74 random bits) from the runtime's Web Crypto,
 * one getRandomValues call per 128 ids: the event id the SDK gives an event, so a retry of it is
 * recognised as the same event.
 */
export function uuidv7(now: number = Date.now()): string {
  if (next === POOL_IDS) {
    globalThis.crypto.getRandomValues(pool);
    next = 0;
  }
  const b = pool.subarray(next * 16, ++next * 16);
  let time = now;
  for (let i = 5; i >= 0; i--) {
    b[i] = time % 256;
    time = Math.floor(time / 256);
  }
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = (i: number) => HEX[b[i]!]!;
  return (
    h(0) +
    h(1) +
    h(2) +
    h(3) +
    '-' +
    h(4) +
    h(5) +
    '-' +
    h(6) +
    h(7) +
    '-' +
    h(8) +
    h(9) +
    '-' +
    h(10) +
    h(11) +
    h(12) +
    h(13) +
    h(14) +
    h(15)
  );
}
