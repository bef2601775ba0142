// Prisma CLI settings. Only `prisma generate` runs here (the migrate engine cannot be
// downloaded on these machines); migrations are applied by libs/db's migrator.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://127.0.0.1:5432/postgres' },
});
