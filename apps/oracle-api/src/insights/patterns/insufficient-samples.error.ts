/** Too few samples for patterns (or a report's figures): a 422 naming how many there are and are needed. */
export class InsufficientSamplesError extends Error {
  readonly httpStatus = 422;
  readonly problemType = 'urn:metaloop:problem:insufficient-samples';
  readonly extensions: { samples: number; min_samples: number };

  constructor(samples: number, minSamples: number, window: string) {
    super(
      `too few samples for patterns: ${samples} feedback event(s) with a success verdict ${window}, ` +
        `at least ${minSamples} are needed (min_samples)`,
    );
    this.name = 'InsufficientSamplesError';
    this.extensions = { samples, min_samples: minSamples };
  }
}
