import { BadRequestException } from '@nestjs/common';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { fieldError, type FieldError } from './problem-details';

/** Thrown by the validation pipe; the filter renders its field errors as problem+json. */
export class RequestValidationException extends BadRequestException {
  constructor(readonly errors: FieldError[]) {
    super(`${errors.length} invalid field${errors.length === 1 ? '' : 's'}`);
  }

  static fromIssues(issues: readonly StandardSchemaV1.Issue[]): RequestValidationException {
    return new RequestValidationException(issues.map((issue) => fieldError(issue.path ?? [], issue.message)));
  }
}
