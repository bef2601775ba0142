import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import {
  exampleSearchRequestSchema,
  exampleSearchResponseSchema,
  pathId,
  type ExampleSearchRequest,
  type ExampleSearchResponse,
} from '@metaloop/contracts';
import { AgentNotFoundError } from '@metaloop/registry';
import { LiveConfigCache } from '../agent-config/live-config.cache';
import { ExampleStore } from './example-store';

@ApiTags('examples')
@Controller('api/v1/agents')
export class ExamplesController {
  constructor(
    private readonly store: ExampleStore,
    private readonly configs: LiveConfigCache,
  ) {}

  @Post(':agent_id/examples/search')
  @HttpCode(200)
  @RequireScopes('config:read')
  @ApiOperation({
    summary: "The agent's stored examples most similar to a query (DICL)",
    description:
      'Examples are good interactions of the agent (and corrections people sent), made by oracle-api from feedback with artifacts; demoted ones are never returned. Similarity is the cosine of the embedder named in the answer.',
  })
  @ApiResponse({ status: 200, standardSchema: exampleSearchResponseSchema })
  @ApiResponse({ status: 400, description: 'The body breaks the contract; problem+json naming the field' })
  @ApiResponse({ status: 404, description: 'No such agent; problem+json' })
  async search(
    @Param('agent_id', { schema: pathId('agent_id') }) agentId: string,
    @Body({ schema: exampleSearchRequestSchema }) body: ExampleSearchRequest,
  ): Promise<ExampleSearchResponse> {
    if (!this.configs.isRegistered(agentId)) {
      await this.configs.loadMissing(agentId);
      if (!this.configs.isRegistered(agentId)) throw new AgentNotFoundError(agentId);
    }
    const examples = await this.store.search(agentId, body.query, body.k, body.min_similarity);
    return { examples, embedder: this.store.embedder.name };
  }
}
