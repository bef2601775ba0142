import { Module } from '@nestjs/common';
import { ControlModule } from '@metaloop/control';
import { SubjectLogsController, SubjectsController } from './subjects.controller';
import { SubjectsService } from './subjects.service';

/** A subject's export and erasure, and seed 002's training logs (selections, persona updates) as JSONL. */
@Module({
  imports: [ControlModule],
  controllers: [SubjectsController, SubjectLogsController],
  providers: [SubjectsService],
})
export class SubjectsModule {}
