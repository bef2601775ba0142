import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { problem, PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem-details';

/**
 * What Fastify's router refuses before a route (and Nest's filters) runs, as problem+json.
 * The path is never echoed back: it is the client's (a 5,000-character one would come back whole).
 */
export function frameworkErrorProblem(error: FastifyError): ProblemDetails {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return problem(400, 'The URL is not valid: a percent-encoded sequence is malformed or not UTF-8.', {
        code: error.code,
      });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return problem(414, 'A path parameter is longer than the route accepts.', { code: error.code });
    default: {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      return problem(status, undefined, { code: error.code });
    }
  }
}

/** Fastify's frameworkErrors option: the router's own refusals answered as problem+json. */
export function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const body = { ...frameworkErrorProblem(error), request_id: request.id };
  void reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (a head over the size limit,
 * a head or body that did not arrive in time, bytes that are not HTTP): a problem+json answer
 * written on the socket, which then closes. A reset socket gets nothing.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] = clientErrorStatus(error.code);
  if (socket.writable) {
    const body = JSON.stringify(problem(status, detail));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function clientErrorStatus(code: string | undefined): [number, string] {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'The request did not arrive in time.'];
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'The request head (URL and headers) is larger than the server accepts.'];
    default:
      return [400, 'The request is not valid HTTP.'];
  }
}
