import { Module } from '@nestjs/common';
import { FindingsModule } from '../findings/findings.module';
import { AnalysisController } from './analysis.controller';
import { AnalysisMetrics } from './analysis.metrics';
import { AnalysisReader } from './analysis.reader';
import { AnalysisService } from './analysis.service';

/** The analyzer: rollups → statistics → findings. */
@Module({
  imports: [FindingsModule],
  controllers: [AnalysisController],
  providers: [AnalysisService, AnalysisReader, AnalysisMetrics],
  exports: [AnalysisService],
})
export class AnalysisModule {}
