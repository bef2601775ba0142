import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';
import { parseDatabaseUrl, poolConfigFor } from './database-target';
import { migrate } from './migrator';
import { DEFAULT_MIGRATIONS_DIR } from './migrations-dir';
import { PRISMA_OPTIONS, type PrismaModuleOptions } from './prisma.options';

/** The one Prisma client of an app; connects eagerly so a wrong DATABASE_URL fails at start. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PrismaService.name);
  readonly schema: string;

  constructor(@Inject(PRISMA_OPTIONS) private readonly options: PrismaModuleOptions) {
    const target = parseDatabaseUrl(options.databaseUrl);
    super({
      adapter: new PrismaPg(
        poolConfigFor(target, { max: options.poolSize ?? 10, application_name: options.applicationName }),
        {
          schema: target.schema,
        },
      ),
    });
    this.schema = target.schema;
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.$connect();
      await this.$queryRawUnsafe('SELECT 1');
    } catch (error) {
      throw new Error(`Postgres is unreachable: ${(error as Error).message}`, { cause: error });
    }
    this.logger.log(`connected to Postgres (schema ${this.schema})`);
    if (this.options.migrateOnStart) {
      const result = await migrate({
        databaseUrl: this.options.databaseUrl,
        migrationsDir: this.options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR,
        log: (message) => this.logger.log(message),
      });
      this.logger.log(
        `schema ${result.schema}: ${result.applied.length} migration(s) applied, ${result.alreadyApplied} already there`,
      );
    }
  }

  /** Readiness probe: throws with the reason when the database does not answer. */
  async ping(): Promise<void> {
    await this.$queryRawUnsafe('SELECT 1');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
