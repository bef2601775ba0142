import 'reflect-metadata';
import { Module, StandardSchemaValidationPipe, type Type } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { EnvValidationError, validateEnv } from '@metaloop/config';
import { NatsEventsServer, NatsService } from '@metaloop/messaging';
import { assignRequestId, instrumentHttp, logRequests, MetricsRegistry } from '@metaloop/observability';
import { nameServerSpansByRoute, stopTracing } from '@metaloop/observability/tracing';
import type { FastifyInstance } from 'fastify';
import { Logger } from 'nestjs-pino';
import type { z } from 'zod';
import { answerClientError, sendFrameworkError } from './framework-errors';
import { applyHttpServerLimits, httpServerLimits } from './http-server-limits';
import { PlatformModule, type PlatformOptions } from './platform.module';
import { ProblemDetailsFilter } from './problem-details.filter';
import { RequestValidationException } from './request-validation.exception';

export interface AppDefinition {
  /** Service name: log field, metrics label, OpenAPI title, NATS and Postgres client names. */
  name: string;
  /** The app's features; createApp puts them under PlatformModule (config, logs, metrics, health, connections). */
  module: Type<unknown>;
  /** The app's env schema: checked before Nest starts, then served by ConfigService. */
  envSchema: z.ZodType<Record<string, unknown>>;
  /** The services the app connects to (readiness checks cover exactly these). */
  uses: PlatformOptions['uses'];
  description: string;
  /** Largest accepted request bodies, from the app's config (Fastify answers 413 beyond). */
  bodyLimits?: (config: ConfigService) => BodyLimits;
  /** Whether @FastRoute() routes are compiled, from the app's config; without it they are. */
  fastRoutes?: (config: ConfigService) => FastRoutesSetting;
}

interface FastRoutesSetting {
  /** false: @FastRoute() is ignored and the routes run through Nest's pipeline like any other. */
  enabled: boolean;
  /** The setting that turns them off, e.g. `FAST_ROUTES=off`: named when a fast route cannot start. */
  offSwitch: string;
}

interface BodyLimits {
  /** For every route not listed in `routes`. */
  default: number;
  /** By route path, e.g. a bulk endpoint that takes more. */
  routes?: Record<string, number>;
}

/** The app's features under the platform, named and configured once, by the definition. */
function rootModule(definition: AppDefinition): Type<unknown> {
  class AppRootModule {}
  Module({
    imports: [
      PlatformModule.forRoot({ app: definition.name, envSchema: definition.envSchema, uses: definition.uses }),
      definition.module,
    ],
  })(AppRootModule);
  return AppRootModule;
}

/**
 * Builds an app the way every metaloop app runs: Fastify, pino logs, problem+json errors (the
 * router's and Node's HTTP parser's own included), the HTTP_* timeouts and caps, Standard Schema (zod) validation, HTTP metrics, OpenAPI at /docs, @FastRoute() routes
 * compiled as they are registered (unless the definition turns them off) and, for apps that use
 * NATS, `@EventPattern` handlers on core NATS (a hybrid app). Not yet listening, so tests can
 * `init()` and `inject()` it.
 */
export async function createApp(definition: AppDefinition): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    trustProxy: true,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    genReqId: assignRequestId,
    frameworkErrors: sendFrameworkError,
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(rootModule(definition), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  applyHttpServerLimits(app.getHttpServer(), httpServerLimits(app.get(ConfigService)));
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(new StandardSchemaValidationPipe({ exceptionFactory: RequestValidationException.fromIssues }));
  const fastify = app.getHttpAdapter().getInstance();
  applyBodyLimits(fastify, definition.bodyLimits?.(app.get(ConfigService)) ?? { default: 1_048_576 });
  // JSON APIs only: any other body type is a 415, not a string for the validator to puzzle over.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  closeConnectionsAfterResponseWhenClosing(fastify);
  instrumentHttp(fastify, app.get(MetricsRegistry));
  nameServerSpansByRoute(fastify);
  logRequests(fastify);
  const fastRoutes = definition.fastRoutes?.(app.get(ConfigService));
  if (fastRoutes?.enabled ?? true) {
    // Loaded only when used: it reads Nest internals, and with the switch off a Nest that moved them must still start.
    const { serveFastRoutes } = await import('./fast-route.handler.js').catch((error: unknown) => {
      const escape = fastRoutes?.offSwitch ? `start with ${fastRoutes.offSwitch}` : 'drop @FastRoute()';
      throw new Error(
        `@FastRoute() cannot load against the installed Nest (${(error as Error).message}); ${escape} to serve the fast routes through Nest's pipeline.`,
        { cause: error },
      );
    });
    serveFastRoutes(app, fastify, fastRoutes?.offSwitch);
  }
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`metaloop ${definition.name}`)
      .setDescription(definition.description)
      .setVersion('1')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'metaloop API key',
        description: 'Authorization: Bearer <key>',
      })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json', yamlDocumentUrl: 'docs/yaml' });
  await listenForNatsEvents(app);
  return app;
}

/**
 * Subscribes the app's `@EventPattern` handlers on its NatsService connection. That connection
 * is made in the background (at init) and its readiness check is the app's, so listening here
 * never waits for NATS; app.close() unsubscribes before the connection drains.
 */
async function listenForNatsEvents(app: NestFastifyApplication): Promise<void> {
  let nats: NatsService;
  try {
    nats = app.get(NatsService);
  } catch {
    return; // the app does not use NATS (PlatformModule uses.nats)
  }
  app.connectMicroservice({ strategy: new NatsEventsServer(nats) });
  await app.startAllMicroservices();
}

/** Routes are registered at init, after this hook, so each gets its limit as it is added. */
function applyBodyLimits(fastify: FastifyInstance, limits: BodyLimits): void {
  fastify.addHook('onRoute', (route) => {
    route.bodyLimit = limits.routes?.[route.url] ?? limits.default;
  });
}

/**
 * Fastify closes idle keep-alive sockets when it starts closing, but a socket busy with an
 * in-flight request would then idle until its keep-alive timeout and hold the shutdown up.
 * Answering that request with `Connection: close` lets the socket go right after it.
 */
function closeConnectionsAfterResponseWhenClosing(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}

/**
 * Starts an app as a process: listens on HOST:PORT and shuts down gracefully on SIGTERM or
 * SIGINT (not ready → drain in-flight requests → close NATS, Redis, Postgres), giving up
 * after SHUTDOWN_TIMEOUT_MS. A bad environment stops it with the variables named.
 */
export async function runApp(definition: AppDefinition): Promise<void> {
  try {
    validateEnv(definition.envSchema, process.env);
  } catch (error) {
    if (!(error instanceof EnvValidationError)) throw error;
    process.stderr.write(`${definition.name} cannot start. ${error.message}\n`);
    process.exit(1);
  }
  let app: NestFastifyApplication;
  try {
    app = await createApp(definition);
  } catch (error) {
    process.stderr.write(`${definition.name} failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const config = app.get(ConfigService);
  const port = config.getOrThrow<number>('PORT');
  const host = config.getOrThrow<string>('HOST');
  const shutdownTimeoutMs = config.getOrThrow<number>('SHUTDOWN_TIMEOUT_MS');
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.get(Logger).log(`${signal} received, shutting down`, definition.name);
    setTimeout(() => {
      process.stderr.write(`${definition.name}: shutdown took longer than ${shutdownTimeoutMs} ms, exiting\n`);
      process.exit(1);
    }, shutdownTimeoutMs).unref();
    app
      .close()
      // The spans of the shutdown itself go too, within the same time limit.
      .then(() => stopTracing().catch(() => undefined))
      .then(
        () => process.exit(0),
        (error: Error) => {
          process.stderr.write(`${definition.name}: shutdown failed: ${error.message}\n`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    // Registers the routes, so what stops a fast route reads as a failed start, not a failed listen.
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  } catch (error) {
    process.stderr.write(`${definition.name} failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  try {
    await app.listen({ port, host });
  } catch (error) {
    process.stderr.write(`${definition.name} cannot listen on ${host}:${port}: ${(error as Error).message}\n`);
    process.exit(1);
  }
  app.get(Logger).log(`listening on http://${host}:${port} (docs at /docs)`, definition.name);
}
