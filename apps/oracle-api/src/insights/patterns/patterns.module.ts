import { Module } from '@nestjs/common';
import { DimensionsReader } from './dimensions.reader';
import { PatternsController } from './patterns.controller';
import { PatternsService } from './patterns.service';

/** Feedback patterns (seed 003) over the hourly dimension rollups. */
@Module({
  controllers: [PatternsController],
  providers: [DimensionsReader, PatternsService],
  exports: [DimensionsReader],
})
export class PatternsModule {}
