/** The rollout moved on (another replica's look, an operator) since this look read it: the look changes nothing. */
export class StaleLookError extends Error {
  constructor(readonly rolloutId: string) {
    super(`rollout ${rolloutId} changed since this look read it`);
  }
}
