import {
  applyDecorators,
  Injectable,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { PRINCIPAL_PROPERTY, type RequestWithPrincipal } from '@metaloop/auth';
import { contentHash } from '@metaloop/core';
import { RedisService } from '@metaloop/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { StatusCarrier } from './problem-details.filter';

const HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** How long an answer is replayed for the same key (the IETF draft suggests at least 24 h). */
const RETENTION_SECONDS = 86_400;
/** How long a request may hold its key while running before another may try again. */
const LOCK_SECONDS = 120;

interface StoredAnswer {
  state: 'running' | 'done';
  fingerprint: string;
  status?: number;
  body?: unknown;
}

class IdempotencyError extends Error implements StatusCarrier {
  constructor(
    message: string,
    readonly httpStatus: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/**
 * `Idempotency-Key` on POSTs: the first request with a key runs and its answer is kept for 24 h
 * in Redis (shared by every replica); a retry with the same key and body (the same JSON value,
 * whatever its key order or whitespace) gets that answer again
 * (`Idempotent-Replayed: true`) without running twice. The same key with another body is a 422;
 * while the first is still running, a retry is a 409 with Retry-After. A request that failed
 * frees its key, so it can be retried. Keys are per caller (API key) and route.
 */
@Injectable()
class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly redis: RedisService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & RequestWithPrincipal>();
    const header = request.headers[HEADER];
    if (header === undefined) return next.handle();
    return from(this.run(request, context.switchToHttp().getResponse<FastifyReply>(), String(header), next));
  }

  private async run(
    request: FastifyRequest & RequestWithPrincipal,
    reply: FastifyReply,
    key: string,
    next: CallHandler,
  ): Promise<unknown> {
    if (!KEY_PATTERN.test(key))
      throw new IdempotencyError('Idempotency-Key must be 1–255 visible ASCII characters', 400);
    const caller = request[PRINCIPAL_PROPERTY]?.keyId ?? 'anonymous';
    const redisKey = this.redis.key(
      'idempotency',
      caller,
      request.method,
      request.routeOptions.url ?? request.url,
      key,
    );
    // Canonical JSON: the same body with its keys in another order is the same request.
    const fingerprint = contentHash(request.body ?? null);
    const claimed = await this.redis.client.set(
      redisKey,
      JSON.stringify({ state: 'running', fingerprint } satisfies StoredAnswer),
      'EX',
      LOCK_SECONDS,
      'NX',
    );
    if (!claimed) return this.replay(redisKey, fingerprint, reply);
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const answer: StoredAnswer = { state: 'done', fingerprint, status: reply.statusCode, body };
      await this.redis.client.set(redisKey, JSON.stringify(answer), 'EX', RETENTION_SECONDS);
      return body;
    } catch (error) {
      await this.redis.client.del(redisKey);
      throw error;
    }
  }

  private async replay(redisKey: string, fingerprint: string, reply: FastifyReply): Promise<unknown> {
    const raw = await this.redis.client.get(redisKey);
    if (!raw)
      throw new IdempotencyError(
        'the first request with this Idempotency-Key failed or expired just now; retry',
        409,
        1,
      );
    const stored = JSON.parse(raw) as StoredAnswer;
    if (stored.fingerprint !== fingerprint) {
      throw new IdempotencyError('this Idempotency-Key was used with a different request body', 422);
    }
    if (stored.state === 'running')
      throw new IdempotencyError('a request with this Idempotency-Key is still running', 409, 1);
    void reply.status(stored.status ?? 200).header('idempotent-replayed', 'true');
    return stored.body;
  }
}

/** Honour `Idempotency-Key` on this route (needs Redis in the app). */
export function Idempotent(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'Retry-safe key: the same key and body within 24 h get the first answer again.',
    }),
  );
}
