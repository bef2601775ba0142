import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import { agentConfigQuerySchema, agentConfigResponseSchema, pathId, type AgentConfigQuery } from '@metaloop/contracts';
import { FastRoute } from '@metaloop/platform';
import { AgentNotFoundError } from '@metaloop/registry';
import type { FastifyReply } from 'fastify';
import { AgentConfigMetrics } from './agent-config.metrics';
import { LiveConfigCache, type ServedConfig } from './live-config.cache';

@ApiTags('agent config')
@Controller('api/v1/agents')
export class AgentConfigController {
  constructor(
    private readonly cache: LiveConfigCache,
    private readonly metrics: AgentConfigMetrics,
  ) {}

  /**
   * The hot path of every agent runtime: from memory (the body and its ETag were made when the
   * agent's live config last changed), synchronously, and a fast route, since at tens of
   * thousands of requests a second Nest's per-request pipeline would be most of the cost. Only
   * a miss waits: for the agent's load from Postgres, so an agent registered a moment ago is
   * served before its config.changed arrives.
   */
  @Get(':agent_id/config')
  @FastRoute()
  @RequireScopes('config:read')
  @ApiOperation({
    summary: "The config this session runs with: the canary's while its sticky arm says so, else the stable one",
  })
  @ApiHeader({
    name: 'If-None-Match',
    required: false,
    description: 'The ETag of the config the caller has; 304 while it is still current',
  })
  @ApiResponse({ status: 200, standardSchema: agentConfigResponseSchema })
  @ApiResponse({ status: 304, description: 'The config behind If-None-Match is still current' })
  @ApiResponse({ status: 404, description: 'No such agent; problem+json' })
  @ApiResponse({
    status: 503,
    description:
      'The agent is not cached and cannot be looked up now (too many lookups at once, or Postgres failing); problem+json with Retry-After',
  })
  getConfig(
    @Param('agent_id', { schema: pathId('agent_id') }) agentId: string,
    @Query({ schema: agentConfigQuerySchema }) query: AgentConfigQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string | Promise<string> {
    const served = this.cache.serve(agentId, query.session_id);
    if (served) return this.answer(agentId, served, reply);
    const loading = this.cache.loadMissing(agentId);
    if (!loading) return this.notFound(agentId);
    return loading.then(
      () => {
        const loaded = this.cache.serve(agentId, query.session_id);
        return loaded ? this.answer(agentId, loaded, reply) : this.notFound(agentId);
      },
      (error: unknown) => {
        this.metrics.configRequest(undefined, 'none', 'unavailable');
        throw error;
      },
    );
  }

  private notFound(agentId: string): never {
    this.metrics.configRequest(undefined, 'none', 'not_found');
    throw new AgentNotFoundError(agentId);
  }

  private answer(agentId: string, served: ServedConfig, reply: FastifyReply): string {
    void reply.header('etag', served.etag).header('cache-control', 'private, no-cache');
    const ifNoneMatch = reply.request.headers['if-none-match'];
    if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, served.etag)) {
      this.metrics.configRequest(agentId, served.arm, 'not_modified');
      void reply.code(304);
      return '';
    }
    this.metrics.configRequest(agentId, served.arm, 'ok');
    void reply.header('content-type', 'application/json; charset=utf-8');
    return served.body;
  }
}

/** If-None-Match: `*` or a list of (possibly weak) tags; weak comparison, as RFC 9110 asks for it. */
function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
