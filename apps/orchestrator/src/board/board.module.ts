import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues/queues.module';
import { QueueBoard } from './queue-board';

@Module({ imports: [QueuesModule], providers: [QueueBoard] })
export class BoardModule {}
