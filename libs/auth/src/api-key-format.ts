import { hash, randomBytes, randomInt } from 'node:crypto';

/**
 * An API key is `mlk_<prefix>_<secret>`: the prefix (8 lowercase alphanumerics) is public and
 * names the key in listings and logs; the secret is 32 random bytes, base64url (43 chars).
 */
export const KEY_PATTERN = /^mlk_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

interface ParsedKey {
  prefix: string;
  secret: string;
}

export function generatePrefix(): string {
  let prefix = '';
  for (let i = 0; i < 8; i++) prefix += PREFIX_ALPHABET[randomInt(PREFIX_ALPHABET.length)];
  return prefix;
}

export function generateKey(prefix = generatePrefix()): string {
  return `mlk_${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** The key's parts, or null when it is not shaped like a metaloop key. */
export function parseKey(key: string): ParsedKey | null {
  const match = KEY_PATTERN.exec(key);
  return match ? { prefix: match[1]!, secret: match[2]! } : null;
}

/**
 * What is stored (`secret_hash`) and looked up: sha256 hex of the whole key. A plain fast hash
 * is right here, no bcrypt/scrypt: the key carries 256 random bits, so there is nothing to
 * brute-force offline, and a slow hash would cost milliseconds on every verification (the
 * one-shot `hash` costs a third of a Hash object's microsecond; it runs on every request).
 */
export function hashKey(key: string): string {
  return hash('sha256', key, 'hex');
}
