import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '@metaloop/auth';
import {
  pathUuid,
  suggestionCandidateResponseSchema,
  suggestionListQuerySchema,
  suggestionListResponseSchema,
  suggestRequestSchema,
  suggestResponseSchema,
  type SuggestionCandidateResponse,
  type SuggestionListQuery,
  type SuggestionListResponse,
  type SuggestRequest,
  type SuggestResponse,
} from '@metaloop/contracts';
import { actorOf } from '@metaloop/control';
import { Idempotent } from '@metaloop/platform';
import { SuggestionsService } from './suggestions.service';

/** Seed 003's suggestions: prompt changes for an agent's worst areas, and one call to make one a candidate. */
@ApiTags('suggestions')
@Controller('api/v1/oracle/suggestions')
export class SuggestionsController {
  constructor(private readonly suggestions: SuggestionsService) {}

  @Post()
  @Idempotent()
  @RequireScopes('oracle:write')
  @HttpCode(200)
  @ApiOperation({
    summary: "Suggest concrete prompt changes for the agents' worst areas in the recent feedback (stored)",
    description:
      'Reads the judged feedback (rating, helpful, complaint or correction) of the last `days` (newest first, at most ' +
      'SUGGESTIONS_MAX_EVENTS events), by tag, by `context.framework` and the corrections; ranks the areas by the lower 95 % ' +
      'Wilson bound of their negative rate (rating ≤ 2, thumbs down, complaint, correction; at least SUGGESTIONS_MIN_NEGATIVES ' +
      'negatives) and gives each of the worst `limit` a prompt patch: from the rules, or from the configured model ' +
      '(SUGGESTIONS_MODEL_URL, OpenAI-compatible or Anthropic), falling back to the rules with `fallback_reason` when it fails. ' +
      'An empty list when no area has enough negatives.',
  })
  @ApiResponse({ status: 200, standardSchema: suggestResponseSchema })
  @ApiResponse({ status: 404, description: 'No such agent; problem+json' })
  suggest(
    @Body({ schema: suggestRequestSchema }) body: SuggestRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<SuggestResponse> {
    return this.suggestions.suggest(body, actorOf(principal));
  }

  @Get()
  @RequireScopes('oracle:read')
  @ApiOperation({
    summary: 'Stored suggestions, newest first, optionally of one agent; page with cursor = next_cursor',
  })
  @ApiResponse({ status: 200, standardSchema: suggestionListResponseSchema })
  list(@Query({ schema: suggestionListQuerySchema }) query: SuggestionListQuery): Promise<SuggestionListResponse> {
    return this.suggestions.list(query);
  }

  @Post(':suggestion_id/candidate')
  @Idempotent()
  @RequireScopes('oracle:write')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Register the suggestion as a prompt candidate of its agent (the stable prompt with the patch appended)',
    description:
      "The registry registers a prompt candidate whose version is the stable one + `-sugg-` + the suggestion's id tail and whose " +
      'template is the stable template with `prompt_patch` appended as a paragraph, so the planner can propose it and the canary ' +
      'test it. Audited as `suggestion.candidate_registered`. Idempotent: asked again, it answers the same candidate (201, ' +
      'nothing new registered, no second audit entry).',
  })
  @ApiResponse({ status: 201, standardSchema: suggestionCandidateResponseSchema })
  @ApiResponse({ status: 404, description: 'No such suggestion (or its agent is gone); problem+json' })
  @ApiResponse({
    status: 409,
    description:
      'The agent has no stable prompt to patch, the patched prompt would be too long, or a prompt candidate of that version exists',
  })
  registerCandidate(
    @Param('suggestion_id', { schema: pathUuid('suggestion_id') }) suggestionId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<SuggestionCandidateResponse> {
    return this.suggestions.registerCandidate(suggestionId, actorOf(principal));
  }
}
