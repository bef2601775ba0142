import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import { pathUuid, trainingChainResponseSchema, type TrainingChainResponse } from '@metaloop/contracts';
import { TrainingService } from '../../loop/training/training.service';

@ApiTags('datasets')
@Controller('api/v1/training-requests')
export class TrainingRequestsController {
  constructor(private readonly training: TrainingService) {}

  @Get(':training_request_id')
  @RequireScopes('oracle:read')
  @ApiOperation({
    summary:
      'A training request and its chain: dataset, the candidate the trainer registered, its mutations and rollouts, the audit',
  })
  @ApiResponse({ status: 200, standardSchema: trainingChainResponseSchema })
  @ApiResponse({ status: 404, description: 'No such training request; problem+json' })
  get(
    @Param('training_request_id', { schema: pathUuid('training_request_id') }) id: string,
  ): Promise<TrainingChainResponse> {
    return this.training.chain(id);
  }
}
