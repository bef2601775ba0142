import { Injectable, NotFoundException } from '@nestjs/common';
import { decisionView, rolloutView } from '@metaloop/control';
import { PrismaService } from '@metaloop/db';
import type { RolloutDetail, RolloutList, RolloutListQuery } from '@metaloop/contracts';

/** Rollouts as operators look at them: newest first, and one with every decision the monitor (or a person) took. */
@Injectable()
export class RolloutsService {
  constructor(private readonly prisma: PrismaService) {}

  async list(query: RolloutListQuery): Promise<RolloutList> {
    const rows = await this.prisma.rollout.findMany({
      where: { agentId: query.agent_id, status: query.status, id: query.cursor ? { lt: query.cursor } : undefined },
      orderBy: { id: 'desc' },
      take: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    return { items: page.map(rolloutView), next_cursor: rows.length > query.limit ? page[page.length - 1]!.id : null };
  }

  async get(rolloutId: string): Promise<RolloutDetail> {
    const row = await this.prisma.rollout.findUnique({
      where: { id: rolloutId },
      include: { decisions: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } },
    });
    if (!row) throw new NotFoundException(`rollout ${rolloutId} does not exist`);
    return { ...rolloutView(row), decisions: row.decisions.map(decisionView) };
  }
}
