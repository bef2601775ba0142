/** Suggestion failures that know their HTTP meaning (libs/platform's StatusCarrier). */
abstract class SuggestionError extends Error {
  abstract readonly httpStatus: number;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class SuggestionNotFoundError extends SuggestionError {
  readonly httpStatus = 404;

  constructor(suggestionId: string) {
    super(`suggestion "${suggestionId}" does not exist`);
  }
}

/** The suggestion cannot become a candidate: the agent has no stable prompt, or the patched prompt is too long. */
export class SuggestionNotApplicableError extends SuggestionError {
  readonly httpStatus = 409;
}
