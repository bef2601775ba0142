/** Report failures that know their HTTP meaning (libs/platform's StatusCarrier). */
export class ReportNotFoundError extends Error {
  readonly httpStatus = 404;

  constructor(reportId: string) {
    super(`report "${reportId}" does not exist`);
    this.name = 'ReportNotFoundError';
  }
}

/** A period_id that names no period (W53 of a 52-week year) or one that has not begun. */
export class ReportPeriodError extends Error {
  readonly httpStatus = 422;
  readonly extensions: { errors: Array<{ path: string; pointer: string; message: string }> };

  constructor(message: string) {
    super(message);
    this.name = 'ReportPeriodError';
    this.extensions = { errors: [{ path: 'period_id', pointer: '/period_id', message }] };
  }
}
