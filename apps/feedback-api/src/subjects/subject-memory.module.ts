import { Module } from '@nestjs/common';
import { SubjectMemoryStore } from './subject-memory.store';

/** Reads per-subject memory (seed 002) for the memory route and the config fetch. */
@Module({
  providers: [SubjectMemoryStore],
  exports: [SubjectMemoryStore],
})
export class SubjectMemoryModule {}
