// `npm run db:migrate`: applies pending migrations to DATABASE_URL (schema from `?schema=`).
import { validateEnv, postgresUrl } from '@metaloop/config';
import { z } from 'zod';
import { migrate, MigrationError } from './migrator';
import { DEFAULT_MIGRATIONS_DIR } from './migrations-dir';

const env = validateEnv(
  z.object({ DATABASE_URL: postgresUrl.default('postgresql://postgres@127.0.0.1:5432/postgres') }),
  process.env,
);

migrate({
  databaseUrl: env.DATABASE_URL,
  migrationsDir: DEFAULT_MIGRATIONS_DIR,
  log: (m) => process.stdout.write(`${m}\n`),
})
  .then((result) => {
    process.stdout.write(
      `schema ${result.schema}: ${result.applied.length} applied, ${result.alreadyApplied} already applied\n`,
    );
  })
  .catch((error: Error) => {
    process.stderr.write(`${error instanceof MigrationError ? '' : 'migration failed: '}${error.message}\n`);
    process.exit(1);
  });
