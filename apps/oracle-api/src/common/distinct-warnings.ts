import type { Logger } from '@nestjs/common';

/**
 * Warnings for a problem that repeats on every retry (Redis refusing connections every two
 * seconds, a database that stays away): logged when it appears or changes, not each time,
 * and again after `reset()` once things went well in between.
 */
export class DistinctWarnings {
  private last?: string;

  constructor(private readonly logger: Logger) {}

  warn(message: string): void {
    if (message !== this.last) this.logger.warn(message);
    this.last = message;
  }

  reset(): void {
    this.last = undefined;
  }
}
