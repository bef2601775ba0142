import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem, PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem-details';
import { RequestValidationException } from './request-validation.exception';

/**
 * Answers every error as RFC 7807 problem+json. Client mistakes keep their 4xx (including
 * Fastify's own: bad JSON, body too large, wrong content type); anything unexpected is a
 * 500 whose details go to the log, not the client.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = { ...this.toProblem(exception), instance: request.url, request_id: request.id };
    if (body.status >= 500) this.logger.error({ err: exception, request_id: body.request_id }, 'request failed');
    const carrier = exception as Partial<StatusCarrier> | null;
    if (typeof carrier?.retryAfterSeconds === 'number') reply.header('retry-after', String(carrier.retryAfterSeconds));
    for (const [name, value] of Object.entries(carrier?.headers ?? {})) reply.header(name, value);
    void reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  }

  toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof RequestValidationException) {
      return problem(400, 'The request does not match the schema.', {
        type: 'urn:metaloop:problem:validation-error',
        errors: exception.errors,
      });
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const detail = typeof response === 'string' ? response : (messageOf(response) ?? exception.message);
      return problem(status, detail);
    }
    if (isStatusCarrier(exception)) {
      return problem(exception.httpStatus, exception.message, {
        ...exception.extensions,
        ...(exception.problemType ? { type: exception.problemType } : {}),
      });
    }
    const status = clientStatusOf(exception);
    if (status) return problem(status, (exception as Error).message, { code: (exception as { code?: string }).code });
    return problem(500, 'An unexpected error occurred; it has been logged with the request id.');
  }
}

/** Fastify's own client errors carry a 4xx statusCode (FST_ERR_CTP_*, JSON SyntaxError). */
function clientStatusOf(exception: unknown): number | undefined {
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function messageOf(response: object): string | undefined {
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : undefined;
}

/**
 * Errors from libs that know their HTTP meaning without depending on Nest's HTTP layer
 * (e.g. NATS unavailable → 503 with Retry-After, a missing API key → 401 with
 * WWW-Authenticate) carry `httpStatus`, optionally `retryAfterSeconds`, `headers`, `problemType`.
 */
export interface StatusCarrier {
  message: string;
  httpStatus: number;
  retryAfterSeconds?: number;
  headers?: Record<string, string>;
  /** A problem type URI more specific than about:blank. */
  problemType?: string;
  /** Extra members of the problem document, e.g. the gate results that refused a plan. */
  extensions?: Record<string, unknown>;
}

function isStatusCarrier(exception: unknown): exception is StatusCarrier {
  return exception instanceof Error && typeof (exception as Partial<StatusCarrier>).httpStatus === 'number';
}
