import { ConflictException, Injectable, Logger } from '@nestjs/common';
import { PrismaService, type MetricDefinition as MetricDefinitionRow } from '@metaloop/db';
import {
  CORE_SUBJECTS,
  type MetricDefinition,
  type MetricDefinitionResponse,
  type MetricsChangedMessage,
} from '@metaloop/contracts';
import { NatsEventsClient } from '@metaloop/messaging';
import { lastValueFrom } from 'rxjs';

/** TensorZero-style metric definitions; feedback-api validates feedback `metrics` against them. */
@Injectable()
export class MetricDefinitionsService {
  private readonly logger = new Logger(MetricDefinitionsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly events: NatsEventsClient,
  ) {}

  async create(definition: MetricDefinition): Promise<MetricDefinitionResponse> {
    let row: MetricDefinitionRow;
    try {
      row = await this.prisma.metricDefinition.create({
        data: { ...definition, description: definition.description ?? null },
      });
    } catch (error) {
      // P2002: unique constraint. Definitions are immutable: feedback already stored used the old meaning.
      if ((error as { code?: string }).code === 'P2002')
        throw new ConflictException(`metric "${definition.name}" is already defined`);
      throw error;
    }
    await this.announce({ name: row.name });
    return toResponse(row);
  }

  async list(): Promise<MetricDefinitionResponse[]> {
    const rows = await this.prisma.metricDefinition.findMany({ orderBy: { name: 'asc' } });
    return rows.map(toResponse);
  }

  /** Best effort: while NATS is down feedback-api's periodic refresh picks the definition up. */
  private async announce(message: MetricsChangedMessage): Promise<void> {
    try {
      await lastValueFrom(this.events.emit(CORE_SUBJECTS.metricsChanged, message), { defaultValue: undefined });
    } catch (error) {
      this.logger.warn(
        `metrics.changed not published (${(error as Error).message}); feedback-api will refresh on its own`,
      );
    }
  }
}

function toResponse(row: MetricDefinitionRow): MetricDefinitionResponse {
  return {
    name: row.name,
    type: row.type,
    level: row.level,
    optimize: row.optimize,
    description: row.description,
    created_at: row.createdAt.toISOString(),
  };
}
