import { Global, Module } from '@nestjs/common';
import { ConfigurableNatsModule } from './nats.options';
import { NatsService } from './nats.service';

@Global()
@Module({ providers: [NatsService], exports: [NatsService] })
export class NatsModule extends ConfigurableNatsModule {}
