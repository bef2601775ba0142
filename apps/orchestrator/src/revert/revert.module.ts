import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { RevertProcessor } from './revert.processor';
import { RevertService } from './revert.service';

@Module({ imports: [CommonModule], providers: [RevertService, RevertProcessor] })
export class RevertModule {}
