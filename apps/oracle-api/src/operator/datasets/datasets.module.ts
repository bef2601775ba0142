import { Module } from '@nestjs/common';
import { TrainingModule } from '../../loop/training/training.module';
import { DatasetsController } from './datasets.controller';
import { TrainingRequestsController } from './training-requests.controller';

@Module({ imports: [TrainingModule], controllers: [DatasetsController, TrainingRequestsController] })
export class DatasetsModule {}
