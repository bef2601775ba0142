import { Body, Controller, Get, HttpCode, Logger, Param, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import {
  agentConfigFetchBodySchema,
  agentConfigFetchQuerySchema,
  agentConfigWithExamplesResponseSchema,
  pathId,
  type AgentConfigFetchBody,
  type AgentConfigFetchQuery,
  type RetrievedExample,
  type SubjectContext,
} from '@metaloop/contracts';
import { FastRoute } from '@metaloop/platform';
import { AgentNotFoundError } from '@metaloop/registry';
import type { FastifyReply } from 'fastify';
import { retrieveDynamicExamples } from '../examples/dynamic-examples';
import { ExampleStore } from '../examples/example-store';
import { ExamplesMetrics } from '../examples/examples.metrics';
import { SubjectMemoryStore } from '../subjects/subject-memory.store';
import { AgentConfigMetrics } from './agent-config.metrics';
import { etagOf, LiveConfigCache, type ServedConfig } from './live-config.cache';

@ApiTags('agent config')
@Controller('api/v1/agents')
export class AgentConfigController {
  private readonly logger = new Logger(AgentConfigController.name);

  constructor(
    private readonly cache: LiveConfigCache,
    private readonly metrics: AgentConfigMetrics,
    private readonly examples: ExampleStore,
    private readonly examplesMetrics: ExamplesMetrics,
    private readonly subjects: SubjectMemoryStore,
  ) {}

  /**
   * The hot path of every agent runtime: from memory (the body and its ETag were made when the
   * agent's live config last changed), synchronously, and a fast route, since at tens of
   * thousands of requests a second Nest's per-request pipeline would be most of the cost. Only
   * a miss waits: for the agent's load from Postgres, so an agent registered a moment ago is
   * served before its config.changed arrives. With a `query`, and only when the served revision
   * has dynamic_examples, the examples most like the query come with it (its own body and ETag).
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
  @ApiResponse({ status: 200, standardSchema: agentConfigWithExamplesResponseSchema })
  @ApiResponse({ status: 304, description: 'The config behind If-None-Match is still current' })
  @ApiResponse({ status: 404, description: 'No such agent; problem+json' })
  @ApiResponse({
    status: 503,
    description:
      'The agent is not cached and cannot be looked up now (too many lookups at once, or Postgres failing); problem+json with Retry-After',
  })
  getConfig(
    @Param('agent_id', { schema: pathId('agent_id') }) agentId: string,
    @Query({ schema: agentConfigFetchQuerySchema }) query: AgentConfigFetchQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string | Promise<string> {
    return this.fetch(agentId, query, reply);
  }

  /** The GET's twin for a query too long for a URL; answers 200 with the same body and ETag. */
  @Post(':agent_id/config')
  @HttpCode(200)
  @RequireScopes('config:read')
  @ApiOperation({
    summary: 'The config this session runs with, and the examples most like a query when it has dynamic_examples',
  })
  @ApiResponse({ status: 200, standardSchema: agentConfigWithExamplesResponseSchema })
  @ApiResponse({ status: 400, description: 'The body breaks the contract; problem+json naming the field' })
  @ApiResponse({ status: 404, description: 'No such agent; problem+json' })
  @ApiResponse({ status: 503, description: 'The agent is not cached and cannot be looked up now; problem+json' })
  postConfig(
    @Param('agent_id', { schema: pathId('agent_id') }) agentId: string,
    @Body({ schema: agentConfigFetchBodySchema }) body: AgentConfigFetchBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string | Promise<string> {
    return this.fetch(agentId, body, reply);
  }

  private fetch(agentId: string, request: AgentConfigFetchQuery, reply: FastifyReply): string | Promise<string> {
    const served = this.cache.serve(agentId, request.session_id);
    if (served) return this.withExtras(agentId, served, request, reply);
    const loading = this.cache.loadMissing(agentId);
    if (!loading) return this.notFound(agentId);
    return loading.then(
      () => {
        const loaded = this.cache.serve(agentId, request.session_id);
        return loaded ? this.withExtras(agentId, loaded, request, reply) : this.notFound(agentId);
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

  /**
   * Without a query (or dynamic_examples) and without a subject_id: the cached body, synchronously.
   * Otherwise the body gains `examples_retrieved` and/or `subject_context` (the subject store's,
   * synchronous while cached) and an ETag of its own, so a 304 means the same
   * config AND the same extras. When either cannot be read the config is still served, without it.
   */
  private withExtras(
    agentId: string,
    served: ServedConfig,
    request: AgentConfigFetchQuery,
    reply: FastifyReply,
  ): string | Promise<string> {
    const settings = served.dynamicExamples;
    const { query, subject_id: subjectId } = request;
    const wantsExamples = query !== undefined && settings !== undefined;
    if (!wantsExamples && subjectId === undefined) return this.answer(agentId, served, reply);
    const examples = wantsExamples
      ? retrieveDynamicExamples(this.examples, agentId, query, settings).catch((error: Error) => {
          this.examplesMetrics.retrievalFailures.inc();
          this.logger.warn(`examples for ${agentId} not retrieved (${error.message}); serving the config without`);
          return undefined;
        })
      : undefined;
    const context = subjectId === undefined ? undefined : this.subjectContext(agentId, subjectId);
    if (!examples && !(context instanceof Promise)) return this.answerWith(agentId, served, undefined, context, reply);
    return Promise.all([examples, context]).then(([retrieved, subjectContext]) =>
      this.answerWith(agentId, served, retrieved, subjectContext, reply),
    );
  }

  /** The subject's context, from the store's cache when it has it; undefined (the config alone) when it cannot be read. */
  private subjectContext(
    agentId: string,
    subjectId: string,
  ): SubjectContext | undefined | Promise<SubjectContext | undefined> {
    const withoutIt = (error: Error): undefined => {
      this.logger.warn(`subject context for ${agentId} not read (${error.message}); serving the config without`);
      return undefined;
    };
    try {
      const context = this.subjects.context(subjectId);
      return context instanceof Promise ? context.catch(withoutIt) : context;
    } catch (error) {
      return withoutIt(error as Error);
    }
  }

  private answerWith(
    agentId: string,
    served: ServedConfig,
    retrieved: RetrievedExample[] | undefined,
    subjectContext: SubjectContext | undefined,
    reply: FastifyReply,
  ): string {
    let extras = '';
    if (retrieved) extras += `,"examples_retrieved":${JSON.stringify(retrieved)}`;
    if (subjectContext) extras += `,"subject_context":${JSON.stringify(subjectContext)}`;
    if (!extras) return this.answer(agentId, served, reply);
    const body = `${served.body.slice(0, -1)}${extras}}`;
    return this.answer(agentId, { ...served, body, etag: etagOf(body) }, reply);
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
