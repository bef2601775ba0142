import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SUBJECT_MEMORY_CHANGED, subjectMemoryChangedMessageSchema } from '@metaloop/contracts';
import { SubjectMemoryStore } from './subject-memory.store';

/** `subject.memory.changed` from oracle-api (learned at ingest, or erased). */
@Controller()
export class SubjectMemoryChangedListener {
  private readonly logger = new Logger(SubjectMemoryChangedListener.name);

  constructor(private readonly store: SubjectMemoryStore) {}

  @EventPattern(SUBJECT_MEMORY_CHANGED)
  onChanged(@Payload() payload: unknown): void {
    const message = subjectMemoryChangedMessageSchema.safeParse(payload);
    if (!message.success) return void this.logger.warn('ignoring an invalid subject.memory.changed message');
    this.store.onChanged(message.data);
  }
}
