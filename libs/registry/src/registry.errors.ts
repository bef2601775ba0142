/**
 * Registry failures that know their HTTP meaning (libs/platform's StatusCarrier) without
 * depending on Nest's HTTP layer, so the orchestrator can catch them by class as well.
 */
abstract class RegistryError extends Error {
  abstract readonly httpStatus: number;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class AgentNotFoundError extends RegistryError {
  readonly httpStatus = 404;

  constructor(readonly agentId: string) {
    super(`agent "${agentId}" is not registered`);
  }
}

export class AgentExistsError extends RegistryError {
  readonly httpStatus = 409;

  constructor(readonly agentId: string) {
    super(`agent "${agentId}" is already registered`);
  }
}

export class RevisionNotFoundError extends RegistryError {
  readonly httpStatus = 404;

  constructor(
    readonly agentId: string,
    readonly revisionId: string,
  ) {
    super(`agent "${agentId}" has no revision "${revisionId}"`);
  }
}

export class CandidateExistsError extends RegistryError {
  readonly httpStatus = 409;

  constructor(agentId: string, type: string, key: string) {
    super(`agent "${agentId}" already has a ${type} candidate "${key}"`);
  }
}

export class TrainingRequestAnsweredError extends RegistryError {
  readonly httpStatus = 409;

  constructor(readonly trainingRequestId: string) {
    super(`training request "${trainingRequestId}" already has a registered candidate`);
  }
}

export class RolloutNotFoundError extends RegistryError {
  readonly httpStatus = 404;

  constructor(readonly rolloutId: string) {
    super(`rollout "${rolloutId}" does not exist`);
  }
}

/** Input the schema could not catch: a cursor not issued by that listing, a weight out of range, a bad config. */
export class RegistryInputError extends RegistryError {
  readonly httpStatus = 400;
}

/** Prisma's error code (P2002 unique violation, P2003 foreign key, P2025 missing record), if any. */
export function prismaCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
