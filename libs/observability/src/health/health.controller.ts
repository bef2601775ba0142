import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HealthService, type ReadinessReport } from './health.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** The process is up and its event loop answers; says nothing about dependencies. */
  @Get('live')
  live(): { status: 'alive' } {
    return { status: 'alive' };
  }

  /** 200 when every dependency answers, else 503 naming the ones that don't and why. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await this.health.readiness();
    reply.status(report.status === 'ready' ? 200 : 503);
    if (report.status !== 'ready') reply.header('Retry-After', '5');
    return report;
  }
}
