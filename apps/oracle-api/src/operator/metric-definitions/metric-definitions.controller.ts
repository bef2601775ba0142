import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import {
  metricDefinitionListSchema,
  metricDefinitionResponseSchema,
  metricDefinitionSchema,
  type MetricDefinition,
  type MetricDefinitionList,
  type MetricDefinitionResponse,
} from '@metaloop/contracts';
import { Idempotent } from '@metaloop/platform';
import { MetricDefinitionsService } from './metric-definitions.service';

@ApiTags('metrics')
@Controller('api/v1/metrics')
export class MetricDefinitionsController {
  constructor(private readonly definitions: MetricDefinitionsService) {}

  @Post()
  @Idempotent()
  @RequireScopes('oracle:write')
  @HttpCode(201)
  @ApiOperation({ summary: 'Define a metric that feedback may carry in `metrics`' })
  @ApiResponse({ status: 201, standardSchema: metricDefinitionResponseSchema })
  @ApiResponse({ status: 409, description: 'A metric with this name is already defined' })
  create(@Body({ schema: metricDefinitionSchema }) body: MetricDefinition): Promise<MetricDefinitionResponse> {
    return this.definitions.create(body);
  }

  @Get()
  @RequireScopes('oracle:read')
  @ApiOperation({ summary: 'List metric definitions by name' })
  @ApiResponse({ status: 200, standardSchema: metricDefinitionListSchema })
  async list(): Promise<MetricDefinitionList> {
    return { items: await this.definitions.list() };
  }
}
