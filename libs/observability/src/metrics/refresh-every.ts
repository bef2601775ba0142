/**
 * Runs `refresh` now and then every `intervalMs` (never two at once), so gauges that need
 * Postgres or Redis are set off the scrape path: /metrics answers from memory whatever the
 * database does. A failed refresh keeps the last values. Returns the function that stops it.
 */
export function refreshEvery(intervalMs: number, refresh: () => Promise<void>): () => void {
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    refresh()
      .catch(() => undefined)
      .finally(() => (running = false));
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
