import { join } from 'node:path';

/**
 * The bundled default policy, at the package root: this file sits directly in src/ (tests,
 * sources) or dist/ (built), so one level up is the root either way. Keep it at this depth.
 */
export const DEFAULT_POLICIES_PATH = join(__dirname, '..', 'default-policies.yaml');
