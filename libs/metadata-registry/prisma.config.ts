// Prisma 7 reads the connection for `prisma migrate` from here, not from schema.prisma.
// On machines that cannot download the schema engine, `nx run metadata-registry:migrate`
// applies the same migrations and keeps the same `_prisma_migrations` ledger.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env['DATABASE_URL'] ?? '' },
});
