export { createPgPool, DEFAULT_CONNECTION_CHECK_INTERVAL_MS, type PgPoolOptions, pgExecutor, pgliteExecutor, type CopySession, type SqlExecutor, type SqlSession } from './lib/sql-executor';
export { copyField, copyPieces, textArrayLiteral } from './lib/copy-text.encoder';
