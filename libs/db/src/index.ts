export { PrismaModule } from './prisma.module';
export { PrismaService } from './prisma.service';
export { migrate } from './migrator';
export { DEFAULT_MIGRATIONS_DIR } from './migrations-dir';
export * from './generated/prisma/client';
