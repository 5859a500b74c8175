import type { SqlExecutor } from '@storytelling/sql';

/**
 * An executor that opens its database on first use: a write-only run, or one that only uses
 * the hooks of a disabled registry, never creates the embedded database.
 */
export function lazyExecutor(kind: SqlExecutor['kind'], open: () => Promise<SqlExecutor>): SqlExecutor & { readonly opened: boolean } {
  let opening: Promise<SqlExecutor> | undefined;
  const get = () => (opening ??= open().catch((error) => {
    opening = undefined; // let the next call try again (the breaker limits how often)
    throw error;
  }));
  return {
    kind,
    get opened() {
      return opening !== undefined;
    },
    query: async (sql, params) => (await get()).query(sql, params),
    exec: async (script) => (await get()).exec(script),
    transaction: async (fn) => (await get()).transaction(fn),
    withSession: async (fn) => (await get()).withSession(fn),
    close: async () => {
      if (opening) await (await opening.catch(() => undefined))?.close();
    },
  };
}
