import { ConfigurableModuleBuilder } from '@nestjs/common';

export interface PrismaModuleOptions {
  /** Postgres URL; `?schema=` selects the schema (default public). */
  databaseUrl: string;
  poolSize?: number;
  applicationName?: string;
  /** Apply pending migrations before serving (advisory-locked, so replicas may all do it). */
  migrateOnStart?: boolean;
  migrationsDir?: string;
}

export const { ConfigurableModuleClass: ConfigurablePrismaModule, MODULE_OPTIONS_TOKEN: PRISMA_OPTIONS } =
  new ConfigurableModuleBuilder<PrismaModuleOptions>().setClassMethodName('forRoot').build();
