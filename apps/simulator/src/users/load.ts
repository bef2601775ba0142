/*
 * The fleet's load: a compressed day (the session rate follows a sinusoid over a period of a few
 * minutes), shared out over the agents by their traffic weights.
 */

export interface DiurnalLoad {
  /** Mean sessions per second over a whole period, for the fleet. */
  meanRate: number;
  /** Length of the compressed day, seconds. */
  periodSeconds: number;
  /** 0.5: the rate swings between 50 % and 150 % of the mean. */
  amplitude: number;
}

/** Sessions per second at `seconds` into the run; the run starts at the mean, on the way up. */
export function fleetRate(load: DiurnalLoad, seconds: number): number {
  return load.meanRate * (1 + load.amplitude * Math.sin((2 * Math.PI * seconds) / load.periodSeconds));
}

/**
 * Turns rates into whole sessions: each agent accrues `rate × weight × dt` of credit and starts a
 * session per whole unit, so over time every agent gets exactly its share, without randomness
 * (which sessions exist never depends on the seed; what each session does does).
 */
export class SessionClock {
  private readonly credit: number[];

  constructor(private readonly weights: readonly number[]) {
    this.credit = weights.map(() => 0);
  }

  /** Sessions due per agent for `dtSeconds` at `rate` sessions/s for the fleet. */
  advance(rate: number, dtSeconds: number): number[] {
    return this.weights.map((weight, i) => {
      this.credit[i]! += rate * weight * dtSeconds;
      const due = Math.floor(this.credit[i]!);
      this.credit[i]! -= due;
      return due;
    });
  }
}
