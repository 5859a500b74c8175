// Generates every Prisma client in the workspace after `npm ci`.
// The Prisma CLI wants to download its schema engine even for `generate`, which does not use it;
// pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips that download on offline machines.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const prismaBin = join(root, 'node_modules', '.bin', 'prisma');
if (!existsSync(prismaBin)) process.exit(0);

const schemas = [];
for (const group of ['libs', 'apps']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const project of readdirSync(dir)) {
    const schema = join(dir, project, 'prisma', 'schema.prisma');
    if (existsSync(schema)) schemas.push(schema);
  }
}
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
for (const schema of schemas) {
  execFileSync(prismaBin, ['generate', '--schema', schema], { stdio: 'inherit', env, cwd: root });
}
