/** A positive integer from the environment, or the default. */
function count(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/**
 * How hard the chaos suite pushes. `npm test` runs one short round; `npm run chaos` sets more
 * rounds and more events per phase, and prints the same figures.
 */
export const chaosSettings = {
  /** Rounds of the whole sequence: kill -9 each app, then NATS, then Redis. */
  rounds: count('CHAOS_ROUNDS', 1),
  /** 202s the loader must collect after each restart before the next kill (the mesh took load again). */
  phaseEvents: count('CHAOS_PHASE_EVENTS', 300),
  /** How long NATS and Redis stay down before they are started again (apps: half a second). */
  serverDownMs: count('CHAOS_SERVER_DOWN_MS', 1_000),
  /** Concurrent request loops of the loader. */
  workers: count('CHAOS_WORKERS', 6),
};
