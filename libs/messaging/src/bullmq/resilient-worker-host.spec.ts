import { BullModule, getQueueToken, Processor } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { deleteRedisKeys, eventually, isolationId, testEnv } from '@metaloop/testing';
import type { Job, Queue } from 'bullmq';
import { RedisModule } from '../redis/redis.module';
import { RedisService } from '../redis/redis.service';
import { bullmqConnection } from './bullmq-connection';
import { ResilientWorkerHost } from './resilient-worker-host';

const QUEUE = 'resilient-spec';

@Injectable()
class Seen {
  readonly jobs: string[] = [];
  readonly errors: string[] = [];
}

@Processor(QUEUE)
class EchoProcessor extends ResilientWorkerHost {
  constructor(
    private readonly seen: Seen,
    redis: RedisService,
  ) {
    super(redis);
  }

  process(job: Job<{ word: string }>): Promise<string> {
    this.seen.jobs.push(job.data.word);
    return Promise.resolve(job.data.word);
  }

  protected override reportWorkerError(error: Error): void {
    this.seen.errors.push(error.message);
  }
}

/** The worker in an app of its own, with its queue (@nestjs/bullmq starts workers of registered queues). */
async function workerApp(redisUrl: string, prefix: string) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      RedisModule.forRoot({ url: redisUrl, keyPrefix: prefix, name: 'resilient-spec' }),
      BullModule.forRoot({ connection: bullmqConnection(redisUrl, 'resilient-spec-bullmq'), prefix }),
      BullModule.registerQueue({ name: QUEUE }),
    ],
    providers: [Seen, EchoProcessor],
  }).compile();
  // The queue's own connection errors are not what this is about.
  moduleRef.get<Queue>(getQueueToken(QUEUE)).on('error', () => undefined);
  await moduleRef.init();
  return moduleRef;
}

describe('ResilientWorkerHost', () => {
  const prefix = isolationId('resilient_worker');

  afterAll(() => deleteRedisKeys(prefix));

  it('runs its jobs and closes gracefully while Redis is there', async () => {
    const app = await workerApp(testEnv.TEST_REDIS_URL, prefix);
    const queue = app.get<Queue>(getQueueToken(QUEUE));
    const job = await queue.add('echo', { word: 'hello' });
    await eventually(async () => expect(await job.getState()).toBe('completed'));
    expect(app.get(Seen).jobs).toEqual(['hello']);
    await app.close();
  });

  it('reports the worker errors while Redis is away, and still closes promptly', async () => {
    const app = await workerApp('redis://127.0.0.1:1', prefix);
    const seen = app.get(Seen);
    await eventually(() => expect(seen.errors.join('\n')).toMatch(/ECONNREFUSED/));
    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
