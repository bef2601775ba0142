import { Module } from '@nestjs/common';
import { FindingsController } from './findings.controller';
import { FindingsService } from './findings.service';

/** The analyzer's findings: stored with dedup, listed over REST. */
@Module({ controllers: [FindingsController], providers: [FindingsService], exports: [FindingsService] })
export class FindingsModule {}
