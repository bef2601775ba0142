import { Injectable } from '@nestjs/common';
import { PrismaService, type Candidate, type Prisma } from '@metaloop/db';
import {
  candidateKey,
  type CandidateListQuery,
  type CandidateListResponse,
  type CandidateResponse,
  type CandidateSpec,
} from '@metaloop/contracts';
import { CURSOR_KEYS, decodeCursor, pageOf } from './page-cursor';
import { AgentNotFoundError, CandidateExistsError, prismaCode, TrainingRequestAnsweredError } from './registry.errors';

/** What mutations may switch an agent to: prompt versions, models, LoRA adapters, backends, one per key and type. */
@Injectable()
export class CandidatesService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * `trainingRequestId` links the candidate to the training request it is the artifact of (one
   * candidate per request); the caller checks the request and completes it in the same `db`
   * transaction.
   */
  async addCandidate(
    agentId: string,
    spec: CandidateSpec,
    options: { trainingRequestId?: string; db?: Prisma.TransactionClient | PrismaService } = {},
  ): Promise<CandidateResponse> {
    const key = candidateKey(spec);
    const db = options.db ?? this.prisma;
    try {
      const row = await db.candidate.create({
        data: {
          agentId,
          type: spec.type,
          key,
          spec: spec as Prisma.InputJsonValue,
          trainingRequestId: options.trainingRequestId ?? null,
        },
      });
      return toCandidateResponse(row);
    } catch (error) {
      const code = prismaCode(error);
      if (code === 'P2002') {
        const target = JSON.stringify((error as { meta?: unknown }).meta ?? '');
        if (options.trainingRequestId && target.includes('training_request'))
          throw new TrainingRequestAnsweredError(options.trainingRequestId);
        throw new CandidateExistsError(agentId, spec.type, key);
      }
      if (code === 'P2003') throw new AgentNotFoundError(agentId);
      throw error;
    }
  }

  /**
   * Registers the candidate unless the agent has one of its type and key already (that one
   * stays as it is); answers whether it did. `db` is the caller's transaction.
   */
  async registerIfAbsent(
    agentId: string,
    spec: CandidateSpec,
    db: Prisma.TransactionClient | PrismaService = this.prisma,
  ): Promise<boolean> {
    const { count } = await db.candidate.createMany({
      data: [{ agentId, type: spec.type, key: candidateKey(spec), spec: spec as Prisma.InputJsonValue }],
      skipDuplicates: true,
    });
    return count === 1;
  }

  /** In registration order, optionally of one type. */
  async listCandidates(agentId: string, query: CandidateListQuery): Promise<CandidateListResponse> {
    if (!(await this.prisma.agent.findUnique({ where: { id: agentId }, select: { id: true } })))
      throw new AgentNotFoundError(agentId);
    const after = query.cursor ? decodeCursor(query.cursor, CURSOR_KEYS.candidateId)[0] : undefined;
    const rows = await this.prisma.candidate.findMany({
      where: { agentId, ...(query.type && { type: query.type }), ...(after !== undefined && { id: { gt: after } }) },
      orderBy: { id: 'asc' },
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit, toCandidateResponse, (row) => [row.id]);
  }
}

function toCandidateResponse(row: Candidate): CandidateResponse {
  return {
    ...(row.spec as CandidateSpec),
    candidate_id: row.id,
    agent_id: row.agentId,
    key: row.key,
    created_at: row.createdAt.toISOString(),
    ...(row.trainingRequestId && { training_request_id: row.trainingRequestId }),
  };
}
