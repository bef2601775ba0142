import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { ApiKeyGuard } from '@metaloop/auth';
import { QUEUES } from '@metaloop/contracts';
import { PROBLEM_CONTENT_TYPE, ProblemDetailsFilter } from '@metaloop/platform';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';

export const BOARD_PATH = '/queues';
const BOARD_QUEUES = [QUEUES.plans, QUEUES.rollouts, QUEUES.reverts];

/**
 * bull-board at /queues on the app's own Fastify instance, inside an encapsulated plugin whose
 * onRequest hook asks for the `admin` scope with the same API-key check as @RequireScopes, so
 * every page and API route of the board is behind it.
 */
@Injectable()
export class QueueBoard implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    private readonly moduleRef: ModuleRef,
    private readonly guard: ApiKeyGuard,
  ) {}

  onModuleInit(): void {
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(BOARD_PATH);
    const queues = BOARD_QUEUES.map(
      (name) => new BullMQAdapter(this.moduleRef.get<Queue>(getQueueToken(name), { strict: false })),
    );
    createBullBoard({ queues, serverAdapter, options: { uiConfig: { boardTitle: 'metaloop orchestrator' } } });
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    const problems = new ProblemDetailsFilter();
    void fastify.register(async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        try {
          await this.guard.authorize(request.headers.authorization, ['admin']);
        } catch (error) {
          const body = { ...problems.toProblem(error), instance: request.url, request_id: request.id };
          for (const [name, value] of Object.entries((error as { headers?: Record<string, string> }).headers ?? {}))
            void reply.header(name, value);
          return reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
        }
      });
      await scope.register(serverAdapter.registerPlugin(), { prefix: BOARD_PATH });
    });
  }
}
