import { Module } from '@nestjs/common';
import { bullmqRoot } from '@metaloop/messaging';

/** BullMQ's shared settings for every queue and worker of oracle-api (libs/messaging). */
@Module({ imports: [bullmqRoot('oracle-api')] })
export class QueuesModule {}
