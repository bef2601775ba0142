import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@metaloop/auth';
import {
  acceptedResponseSchema,
  bulkFeedbackSchema,
  bulkResponseSchema,
  feedbackEventSchema,
  systemMetricSchema,
  type AcceptedResponse,
  type BulkResponse,
  type FeedbackEvent,
  type SystemMetric,
} from '@metaloop/contracts';
import { FastRoute } from '@metaloop/platform';
import type { z } from 'zod';
import { FeedbackService } from './feedback.service';

@ApiTags('feedback')
@RequireScopes('feedback:write')
@Controller('api/v1/feedback')
export class FeedbackController {
  constructor(private readonly feedback: FeedbackService) {}

  /** One event per request from every agent runtime: a fast route (see @FastRoute). */
  @Post('collect')
  @FastRoute()
  @HttpCode(202)
  @ApiOperation({ summary: 'Collect one feedback event; 202 once it is durable in JetStream' })
  @ApiResponse({ status: 202, standardSchema: acceptedResponseSchema })
  @ApiResponse({ status: 503, description: 'NATS/JetStream unavailable; retry after Retry-After seconds' })
  collect(@Body({ schema: feedbackEventSchema }) event: FeedbackEvent): Promise<AcceptedResponse> {
    return this.feedback.collect(event);
  }

  @Post('collect/bulk')
  @HttpCode(202)
  @ApiOperation({ summary: 'Collect 1–1000 feedback events; per-event result: accepted, duplicate or rejected' })
  @ApiResponse({ status: 202, standardSchema: bulkResponseSchema })
  collectBulk(@Body({ schema: bulkFeedbackSchema }) body: z.infer<typeof bulkFeedbackSchema>): Promise<BulkResponse> {
    return this.feedback.collectBulk(body.events);
  }

  @Post('system/metric')
  @HttpCode(202)
  @ApiOperation({ summary: 'Collect one system metric (goes to feedback.system.<source>)' })
  @ApiResponse({ status: 202, standardSchema: acceptedResponseSchema })
  systemMetric(@Body({ schema: systemMetricSchema }) metric: SystemMetric): Promise<AcceptedResponse> {
    return this.feedback.systemMetric(metric);
  }
}
