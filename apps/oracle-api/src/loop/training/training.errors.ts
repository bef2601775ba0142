/** Training failures that know their HTTP meaning (libs/platform's StatusCarrier). */
abstract class TrainingError extends Error {
  abstract readonly httpStatus: number;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class DatasetNotFoundError extends TrainingError {
  readonly httpStatus = 404;

  constructor(datasetId: string) {
    super(`dataset "${datasetId}" does not exist`);
  }
}

export class DatasetNotReadyError extends TrainingError {
  readonly httpStatus = 409;

  constructor(datasetId: string, status: string) {
    super(`dataset "${datasetId}" is ${status}: its files exist once it is ready`);
  }
}

export class TrainingRequestNotFoundError extends TrainingError {
  readonly httpStatus = 404;

  constructor(id: string) {
    super(`training request "${id}" does not exist`);
  }
}

/** The candidate names a training request of another agent, or one that already has its artifact. */
export class TrainingRequestMismatchError extends TrainingError {
  readonly httpStatus = 409;
}
