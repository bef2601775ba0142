/** JetStream did not acknowledge: the events are not accepted; the client should retry. */
export class PublishFailedError extends Error {
  readonly httpStatus = 503;
  readonly retryAfterSeconds = 1;

  constructor(reason: string) {
    super(`events not accepted, JetStream did not acknowledge: ${reason}`);
    this.name = 'PublishFailedError';
  }
}
