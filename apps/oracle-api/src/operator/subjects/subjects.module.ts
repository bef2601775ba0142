import { Module } from '@nestjs/common';
import { ControlModule } from '@metaloop/control';
import { ExamplesModule } from '../../loop/examples/examples.module';
import { SubjectLogsController, SubjectsController } from './subjects.controller';
import { SubjectsService } from './subjects.service';

/** A subject's export and erasure (its examples through the example store), and seed 002's training logs (selections, persona updates) as JSONL. */
@Module({
  imports: [ControlModule, ExamplesModule],
  controllers: [SubjectsController, SubjectLogsController],
  providers: [SubjectsService],
})
export class SubjectsModule {}
