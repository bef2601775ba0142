/** A rollback selector that names nothing: an unknown rollback_key, rollout or agent (404). */
export class RollbackTargetNotFoundError extends Error {
  readonly httpStatus = 404;
  readonly problemType = 'urn:metaloop:problem:rollback-target-not-found';
}

/** Thrown inside the flip's transaction when the rollout finished meanwhile: nothing changes, nothing is announced. */
export class RolloutAlreadyFinished extends Error {
  constructor(readonly rolloutId: string) {
    super(`rollout ${rolloutId} has already finished`);
  }
}
