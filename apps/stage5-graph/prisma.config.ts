// Prisma 7 reads the connection for `prisma migrate` from here, not from schema.prisma.
// Where the schema engine cannot be downloaded, `nx run stage5-graph:migrate` applies the same
// migrations and keeps the same `_prisma_migrations` ledger.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env['STAGE5_DATABASE_URL'] ?? '' },
});
