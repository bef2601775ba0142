import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import { problem, PROBLEM_CONTENT_TYPE } from '@metaloop/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  body: Buffer;
  type: string;
  /** Vite's hashed files under assets/ never change: cached for a year; index.html always revalidated. */
  immutable: boolean;
}

/**
 * Serves the operator console's built files (CONSOLE_DIR, apps/console/dist) at /console, read
 * into memory once at start (a few files, < 100 KB): any path that is not a file is the SPA's
 * index.html, so deep links work. Public like /docs: the page holds no data, every call it makes
 * sends the API key the person types in. Registered on Fastify directly (not a Nest route), so
 * the route audit of keyed routes is not concerned.
 */
@Injectable()
export class ConsoleAssets implements OnModuleInit {
  private readonly logger = new Logger(ConsoleAssets.name);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: ConfigService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    const dir = this.config.get<string>('CONSOLE_DIR')!;
    const assets = loadAssets(dir);
    if (!assets.has('index.html')) {
      this.logger.warn(`no operator console at ${dir} (build it: npx nx run console:build); /console says so`);
    }
    const serve = (request: FastifyRequest, reply: FastifyReply) => {
      let path: string;
      try {
        path = decodeURIComponent(request.url.split('?')[0]!.replace(/^\/console\/?/, ''));
      } catch {
        return reply.code(400).type(PROBLEM_CONTENT_TYPE).send(problem(400, 'the path is not valid percent-encoding'));
      }
      const asset = assets.get(path) ?? (path.startsWith('assets/') ? undefined : assets.get('index.html'));
      if (!asset) {
        const detail = assets.has('index.html')
          ? `no console file ${path}`
          : `the operator console is not built: npx nx run console:build (CONSOLE_DIR ${dir})`;
        return reply.code(404).type(PROBLEM_CONTENT_TYPE).send(problem(404, detail));
      }
      return reply
        .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .type(asset.type)
        .send(asset.body);
    };
    fastify.get('/console', serve);
    fastify.get('/console/*', serve);
  }
}

/** Every file under dir by its path relative to it ('index.html', 'assets/index-abc.js'); empty when dir is missing. */
export function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return assets;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const path = relative(dir, file).split('\\').join('/');
    assets.set(path, {
      body: readFileSync(file),
      type: TYPES[extname(file)] ?? 'application/octet-stream',
      immutable: path.startsWith('assets/'),
    });
  }
  return assets;
}
