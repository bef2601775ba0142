import type { Logger } from '@nestjs/common';

/**
 * Warnings for a problem that repeats on every retry (Redis refusing connections every two
 * seconds, a database that stays away): logged when it appears or changes, not each time,
 * and again after `reset()` once things went well in between. A problem is named by its
 * message unless `problem` names it apart from the wording.
 */
export class DistinctWarnings {
  private last?: string;
  private warned = false;

  constructor(private readonly logger: Pick<Logger, 'warn' | 'debug'>) {}

  warn(message: string, problem = message): void {
    if (this.repeats(problem)) return;
    this.warned = true;
    this.logger.warn(message);
  }

  /** For a problem that is expected for a while (waiting for a first connection): noted, not warned. */
  debug(message: string, problem = message): void {
    if (!this.repeats(problem)) this.logger.debug(message);
  }

  /** Things went well: the next problem is logged again. True when a warning was logged since the last reset. */
  reset(): boolean {
    const warned = this.warned;
    this.last = undefined;
    this.warned = false;
    return warned;
  }

  private repeats(problem: string): boolean {
    if (problem === this.last) return true;
    this.last = problem;
    return false;
  }
}
