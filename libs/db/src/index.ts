export { PrismaModule } from './prisma.module';
export { PrismaService } from './prisma.service';
export type { PrismaModuleOptions } from './prisma.options';
export { migrate, readMigrations, MigrationError, type MigrateOptions, type MigrateResult, type MigrationFile } from './migrator';
export { DEFAULT_MIGRATIONS_DIR } from './migrations-dir';
export { parseDatabaseUrl, poolConfigFor, quoteIdent, type DatabaseTarget } from './database-target';
export * from './generated/prisma/client';
