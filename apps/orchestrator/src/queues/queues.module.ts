import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QUEUES } from '@metaloop/contracts';
import { bullmqRoot } from '@metaloop/messaging';

const queues = BullModule.registerQueue({ name: QUEUES.plans }, { name: QUEUES.rollouts }, { name: QUEUES.reverts });

/** The orchestrator's three queues, one instance each for every feature that uses them. */
@Module({ imports: [bullmqRoot('orchestrator'), queues], exports: [queues] })
export class QueuesModule {}
