import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (apt-get install -y chromium); CHROMIUM_PATH names another. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const CHROMIUM_INSTALL = 'apt-get update && apt-get install -y chromium';

/**
 * Whether the browser suites can run: without chromium they are skipped with one loud line (a
 * fresh machine still passes `npm test`), and under CI=true they fail instead.
 */
export function chromiumAvailable(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  const missing = `no chromium at ${CHROMIUM}; install it with: ${CHROMIUM_INSTALL}`;
  if (process.env['CI'] === 'true') throw new Error(`${suite} cannot run under CI=true: ${missing}`);
  process.stderr.write(`*** SKIPPED ${suite}: ${missing}\n`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
