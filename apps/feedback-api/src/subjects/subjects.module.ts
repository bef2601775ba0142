import { Module } from '@nestjs/common';
import { SubjectMemoryModule } from './subject-memory.module';
import { SubjectsController } from './subjects.controller';

/** `GET /api/v1/subjects/{subject_id}/memory` (seed 002). */
@Module({
  imports: [SubjectMemoryModule],
  controllers: [SubjectsController],
})
export class SubjectsModule {}
