import { Global, Module } from '@nestjs/common';
import { ConfigurableNatsModule } from './nats.options';
import { NatsEventsClient } from '../nats-events/nats-events.client';
import { NatsService } from './nats.service';

@Global()
@Module({ providers: [NatsService, NatsEventsClient], exports: [NatsService, NatsEventsClient] })
export class NatsModule extends ConfigurableNatsModule {}
