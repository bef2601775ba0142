import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EXAMPLES_CHANGED, examplesChangedMessageSchema } from '@metaloop/contracts';
import { ExampleStore } from './example-store';

/** `examples.changed` from oracle-api's example store. */
@Controller()
export class ExamplesChangedListener {
  private readonly logger = new Logger(ExamplesChangedListener.name);

  constructor(private readonly store: ExampleStore) {}

  @EventPattern(EXAMPLES_CHANGED)
  async onExamplesChanged(@Payload() payload: unknown): Promise<void> {
    const message = examplesChangedMessageSchema.safeParse(payload);
    if (!message.success) return void this.logger.warn('ignoring an invalid examples.changed message');
    await this.store.onChanged(message.data);
  }
}
