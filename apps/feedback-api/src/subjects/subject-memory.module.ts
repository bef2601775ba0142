import { Module } from '@nestjs/common';
import { SubjectMemoryChangedListener } from './subject-memory-changed.listener';
import { SubjectMemoryStore } from './subject-memory.store';

/** Reads per-subject memory (seed 002) for the memory route and the config fetch; subject.memory.changed drops a cached context. */
@Module({
  controllers: [SubjectMemoryChangedListener],
  providers: [SubjectMemoryStore],
  exports: [SubjectMemoryStore],
})
export class SubjectMemoryModule {}
