import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '@metaloop/auth';
import {
  agentListQuerySchema,
  agentListResponseSchema,
  agentResponseSchema,
  candidateListQuerySchema,
  candidateListResponseSchema,
  candidateRegistrationSchema,
  candidateResponseSchema,
  createAgentResponseSchema,
  createAgentSchema,
  deployRequestSchema,
  deployResponseSchema,
  pageQuerySchema,
  pathId,
  revisionDiffResponseSchema,
  revisionListResponseSchema,
  revisionResponseSchema,
  type AgentListQuery,
  type AgentListResponse,
  type AgentResponse,
  type CandidateListQuery,
  type CandidateListResponse,
  type CandidateRegistration,
  type CandidateResponse,
  type CreateAgentRequest,
  type CreateAgentResponse,
  type DeployRequest,
  type DeployResponse,
  type PageQuery,
  type RevisionDiffResponse,
  type RevisionListResponse,
  type RevisionResponse,
} from '@metaloop/contracts';
import { actorOf } from '@metaloop/control';
import { AgentsService, CandidatesService, RevisionsService } from '@metaloop/registry';
import { Idempotent } from '@metaloop/platform';
import { TrainingService } from '../../loop/training/training.service';
import { AgentDeployService } from './agent-deploy.service';

const NOT_FOUND = { status: 404, description: 'No such agent (or revision of it); problem+json' } as const;

/** The agent registry: agents with their baseline config, immutable revisions and their diffs, candidates. */
@ApiTags('agents')
@Controller('api/v1/agents')
export class AgentsController {
  constructor(
    private readonly agents: AgentsService,
    private readonly revisions: RevisionsService,
    private readonly candidates: CandidatesService,
    private readonly deployments: AgentDeployService,
    private readonly training: TrainingService,
  ) {}

  @Post()
  @Idempotent()
  @RequireScopes('oracle:write')
  @HttpCode(201)
  @ApiOperation({ summary: 'Register an agent; its config becomes the first (stable) revision' })
  @ApiResponse({ status: 201, standardSchema: createAgentResponseSchema })
  @ApiResponse({ status: 409, description: 'An agent with this id is already registered' })
  create(
    @Body({ schema: createAgentSchema }) body: CreateAgentRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CreateAgentResponse> {
    return this.agents.createAgent(body, principal.name);
  }

  @Get()
  @RequireScopes('oracle:read')
  @ApiOperation({ summary: 'List agents by id; page with cursor = the previous next_cursor' })
  @ApiResponse({ status: 200, standardSchema: agentListResponseSchema })
  list(@Query({ schema: agentListQuerySchema }) query: AgentListQuery): Promise<AgentListResponse> {
    return this.agents.listAgents(query);
  }

  @Get(':agent_id')
  @RequireScopes('oracle:read')
  @ApiOperation({ summary: 'One agent: its stable revision and active rollout' })
  @ApiResponse({ status: 200, standardSchema: agentResponseSchema })
  @ApiResponse(NOT_FOUND)
  get(@Param('agent_id', { schema: pathId('agent_id') }) agentId: string): Promise<AgentResponse> {
    return this.agents.getAgent(agentId);
  }

  @Post(':agent_id/deploy')
  @Idempotent()
  @RequireScopes('oracle:write')
  @HttpCode(200)
  @ApiOperation({
    summary: "Deploy a new stable config by hand: it becomes the agent's stable revision at once",
    description:
      'The config (the same schema as POST /api/v1/agents) becomes a revision whose parent is the current stable one (content-hashed: ' +
      'an earlier identical config is that revision again) and the stable revision at once, announced on config.changed; audited as ' +
      '`agent.deployed` with the reason and both revisions. The prompt version it replaces is registered as a prompt candidate of the ' +
      'agent unless one of that version exists, so the loop can go back to the last good prompt. The stable config already: 200, ' +
      'changed false, nothing happens. Refused (409) while a rollout of the agent is pending, running or paused: roll it back first.',
  })
  @ApiResponse({ status: 200, standardSchema: deployResponseSchema })
  @ApiResponse({
    status: 409,
    description: 'A rollout of the agent is pending, running or paused; problem+json naming it',
  })
  @ApiResponse(NOT_FOUND)
  deploy(
    @Param('agent_id', { schema: pathId('agent_id') }) agentId: string,
    @Body({ schema: deployRequestSchema }) body: DeployRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeployResponse> {
    return this.deployments.deploy(agentId, body, actorOf(principal));
  }

  @Post(':agent_id/candidates')
  @Idempotent()
  @RequireScopes('oracle:write')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Register a candidate (prompt version, model, LoRA adapter or backend) mutations may switch to',
    description:
      'A trainer registers what it trained with `training_request_id`: the candidate is linked to that request, which becomes ' +
      '`completed` (audited as `training.completed` with the dataset and the candidate), and the planner prefers the candidate ' +
      "for the agent's next retrain or quality finding.",
  })
  @ApiResponse({ status: 201, standardSchema: candidateResponseSchema })
  @ApiResponse({
    status: 409,
    description:
      'The agent has a candidate of this type and key already, or the training request is of another agent or already answered',
  })
  @ApiResponse({ status: 404, description: 'No such agent, or no such training request; problem+json' })
  addCandidate(
    @Param('agent_id', { schema: pathId('agent_id') }) agentId: string,
    @Body({ schema: candidateRegistrationSchema }) body: CandidateRegistration,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CandidateResponse> {
    return this.training.registerCandidate(agentId, body, actorOf(principal));
  }

  @Get(':agent_id/candidates')
  @RequireScopes('oracle:read')
  @ApiOperation({ summary: 'List candidates in registration order, optionally of one type' })
  @ApiResponse({ status: 200, standardSchema: candidateListResponseSchema })
  @ApiResponse(NOT_FOUND)
  listCandidates(
    @Param('agent_id', { schema: pathId('agent_id') }) agentId: string,
    @Query({ schema: candidateListQuerySchema }) query: CandidateListQuery,
  ): Promise<CandidateListResponse> {
    return this.candidates.listCandidates(agentId, query);
  }

  @Get(':agent_id/revisions')
  @RequireScopes('oracle:read')
  @ApiOperation({ summary: 'List revisions, newest first' })
  @ApiResponse({ status: 200, standardSchema: revisionListResponseSchema })
  @ApiResponse(NOT_FOUND)
  listRevisions(
    @Param('agent_id', { schema: pathId('agent_id') }) agentId: string,
    @Query({ schema: pageQuerySchema }) query: PageQuery,
  ): Promise<RevisionListResponse> {
    return this.revisions.listRevisions(agentId, query);
  }

  @Get(':agent_id/revisions/:revision_id')
  @RequireScopes('oracle:read')
  @ApiOperation({ summary: 'One revision with its config and provenance' })
  @ApiResponse({ status: 200, standardSchema: revisionResponseSchema })
  @ApiResponse(NOT_FOUND)
  getRevision(
    @Param('agent_id', { schema: pathId('agent_id') }) agentId: string,
    @Param('revision_id', { schema: pathId('revision_id') }) revisionId: string,
  ): Promise<RevisionResponse> {
    return this.revisions.getRevision(agentId, revisionId);
  }

  @Get(':agent_id/revisions/:from_revision_id/diff/:to_revision_id')
  @RequireScopes('oracle:read')
  @ApiOperation({
    summary: 'What changes from one revision to another: paths with before/after, the prompt template line by line',
  })
  @ApiResponse({ status: 200, standardSchema: revisionDiffResponseSchema })
  @ApiResponse(NOT_FOUND)
  diff(
    @Param('agent_id', { schema: pathId('agent_id') }) agentId: string,
    @Param('from_revision_id', { schema: pathId('from_revision_id') }) fromId: string,
    @Param('to_revision_id', { schema: pathId('to_revision_id') }) toId: string,
  ): Promise<RevisionDiffResponse> {
    return this.revisions.diff(agentId, fromId, toId);
  }
}
