import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { ConfigurableHealthModule } from './health.options';
import { HealthService } from './health.service';

@Module({ controllers: [HealthController], providers: [HealthService], exports: [HealthService] })
export class HealthModule extends ConfigurableHealthModule {}
