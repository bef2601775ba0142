import { createReadStream } from 'node:fs';
import { Body, Controller, Get, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '@metaloop/auth';
import {
  createDatasetSchema,
  datasetFileParam,
  datasetListQuerySchema,
  datasetListResponseSchema,
  datasetResponseSchema,
  pathUuid,
  type CreateDatasetRequest,
  type DatasetFile,
  type DatasetListQuery,
  type DatasetListResponse,
  type DatasetResponse,
} from '@metaloop/contracts';
import { actorOf } from '@metaloop/control';
import { TrainingService } from '../../loop/training/training.service';

const NOT_FOUND = { status: 404, description: 'No such dataset; problem+json' } as const;

/** Training datasets (seed 001's pipeline): built by a job, then read and downloaded. */
@ApiTags('datasets')
@Controller('api/v1/datasets')
export class DatasetsController {
  constructor(private readonly training: TrainingService) {}

  @Post()
  @RequireScopes('oracle:execute')
  @HttpCode(202)
  @ApiOperation({
    summary: "Build a training dataset of an agent's feedback (sft chat JSONL, or preference pairs for DPO)",
    description:
      'Answers the `building` dataset at once; a job streams the feedback events of the agent (and revision) in the window, keeps ' +
      'those with artifacts {input, output}, quality ≥ the policy’s learning.datasets.min_quality and no complaint or negative rating ' +
      '(a correction’s corrected output is the answer), deduplicates by content hash, adds the rehearsal share of older accepted ' +
      'examples, splits train/validation by a seeded hash and writes train.jsonl, validation.jsonl and manifest.json. ' +
      'Poll GET /api/v1/datasets/{id} until `ready`. Audited as `dataset.requested`.',
  })
  @ApiResponse({ status: 202, standardSchema: datasetResponseSchema })
  create(
    @Body({ schema: createDatasetSchema }) body: CreateDatasetRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DatasetResponse> {
    return this.training.createDataset(body, actorOf(principal));
  }

  @Get()
  @RequireScopes('oracle:read')
  @ApiOperation({ summary: 'Datasets, newest first, optionally of one agent' })
  @ApiResponse({ status: 200, standardSchema: datasetListResponseSchema })
  list(@Query({ schema: datasetListQuerySchema }) query: DatasetListQuery): Promise<DatasetListResponse> {
    return this.training.listDatasets(query);
  }

  @Get(':dataset_id')
  @RequireScopes('oracle:read')
  @ApiOperation({ summary: 'One dataset: status, and once ready its manifest (counts per filter stage, file hashes)' })
  @ApiResponse({ status: 200, standardSchema: datasetResponseSchema })
  @ApiResponse(NOT_FOUND)
  get(@Param('dataset_id', { schema: pathUuid('dataset_id') }) id: string): Promise<DatasetResponse> {
    return this.training.getDataset(id);
  }

  @Get(':dataset_id/files/:file')
  @RequireScopes('oracle:read')
  @ApiOperation({ summary: 'Download train.jsonl, validation.jsonl or manifest.json of a ready dataset (streamed)' })
  @ApiResponse({
    status: 200,
    description: 'The file: JSONL (application/x-ndjson) or the manifest (application/json)',
  })
  @ApiResponse(NOT_FOUND)
  @ApiResponse({ status: 409, description: 'The dataset is still building, or failed; problem+json' })
  async file(
    @Param('dataset_id', { schema: pathUuid('dataset_id') }) id: string,
    @Param('file', { schema: datasetFileParam }) file: DatasetFile,
  ): Promise<StreamableFile> {
    const found = await this.training.datasetFile(id, file);
    return new StreamableFile(createReadStream(found.path), {
      type: found.contentType,
      disposition: `attachment; filename="${found.name}"`,
    });
  }
}
