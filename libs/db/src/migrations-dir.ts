import { join } from 'node:path';

/** prisma/migrations of the workspace; libs/db/src and libs/db/dist sit at the same depth. */
export const DEFAULT_MIGRATIONS_DIR = join(__dirname, '..', '..', '..', 'prisma', 'migrations');
