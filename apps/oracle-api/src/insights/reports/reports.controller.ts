import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '@metaloop/auth';
import {
  createReportSchema,
  pathUuid,
  reportFormatQuerySchema,
  reportListQuerySchema,
  reportListResponseSchema,
  reportSchema,
  type CreateReportRequest,
  type Report,
  type ReportFormatQuery,
  type ReportListQuery,
  type ReportListResponse,
} from '@metaloop/contracts';
import { actorOf } from '@metaloop/control';
import type { FastifyReply } from 'fastify';
import { reportMarkdown } from './report-markdown';
import { ReportsService } from './reports.service';

const MARKDOWN = 'text/markdown; charset=utf-8';

/** Weekly and monthly improvement reports (seed 003). */
@ApiTags('reports')
@Controller('api/v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Post()
  @HttpCode(201)
  @RequireScopes('oracle:write')
  @ApiOperation({
    summary: 'Generate a weekly or monthly report now (default: the last complete period), fleet-wide or of one agent',
    description:
      'Total feedback, mean rating and success rate of the period (ISO week or month, UTC) and of the one before, the change ' +
      'with its test (two-proportion z for the success rate, Welch for the mean rating), top performers and problem areas ' +
      '(tags, models, prompt versions, context values against the rest of the period) and action items. A success rate that ' +
      "fell more than the policy's insights.reports.alert_drop_percent sets `alert`, counts " +
      'metaloop_report_success_drop_alerts_total and calls REPORT_WEBHOOK_URL (signed).',
  })
  @ApiResponse({ status: 201, standardSchema: reportSchema })
  @ApiResponse({ status: 422, description: 'period_id names no such period, or one that has not begun; problem+json' })
  create(
    @Body({ schema: createReportSchema }) body: CreateReportRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Report> {
    return this.reports.generate(body, 'api', actorOf(principal));
  }

  @Get()
  @RequireScopes('oracle:read')
  @ApiOperation({ summary: 'Reports, newest first; filters period and agent_id; page on with cursor = next_cursor' })
  @ApiResponse({ status: 200, standardSchema: reportListResponseSchema })
  list(@Query({ schema: reportListQuerySchema }) query: ReportListQuery): Promise<ReportListResponse> {
    return this.reports.list(query);
  }

  @Get(':report_id')
  @RequireScopes('oracle:read')
  @ApiOperation({ summary: 'One report: JSON, or Markdown with Accept: text/markdown or ?format=markdown' })
  @ApiResponse({ status: 200, standardSchema: reportSchema, description: 'JSON, or text/markdown' })
  @ApiResponse({ status: 404, description: 'No such report; problem+json' })
  async get(
    @Param('report_id', { schema: pathUuid('report_id') }) id: string,
    @Query({ schema: reportFormatQuerySchema }) query: ReportFormatQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Report | string> {
    const report = await this.reports.get(id);
    const markdown = query.format ? query.format === 'markdown' : wantsMarkdown(accept);
    if (!markdown) return report;
    void reply.header('content-type', MARKDOWN);
    return reportMarkdown(report);
  }
}

/** Markdown when the client lists text/markdown and not JSON before it. */
function wantsMarkdown(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  const md = types.indexOf('text/markdown');
  const json = types.indexOf('application/json');
  return md !== -1 && (json === -1 || md < json);
}
