/**
 * The part of a node-postgres pool client that `withPooledClient` uses. Structural, so this
 * library needs no `pg` dependency; a `pg` PoolClient fits.
 */
export interface ReleasableClient {
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  release(destroy?: Error | boolean): void;
}

/** A pool that hands out clients (a `pg` Pool fits). */
export interface ClientPool<C extends ReleasableClient> {
  connect(): Promise<C>;
}

/**
 * Runs `fn` on one client checked out of `pool` and gives it back afterwards.
 *
 * Why not plain `connect()`/`release()`: the pool stops watching a client while it is checked
 * out, so a server that drops the connection meanwhile (a restart, a terminated backend) makes
 * the client emit an 'error' nobody hears, and Node exits. Here the error is kept instead
 * (`lost()` returns the first, for a clearer message than the failed query's), `onLost` hears
 * each, and the client is released as broken so the pool never hands the dead connection out again.
 * So is a client on which `fn` threw.
 */
export async function withPooledClient<C extends ReleasableClient, T>(
  pool: ClientPool<C>,
  fn: (client: C, lost: () => Error | undefined) => Promise<T>,
  onLost?: (error: Error) => void,
): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => {
    // The first error says why (a terminated backend is followed by "Connection terminated unexpectedly").
    lost ??= error;
    onLost?.(error);
  };
  client.on('error', onError);
  let failed: Error | undefined;
  try {
    return await fn(client, () => lost);
  } catch (error) {
    failed = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.removeListener('error', onError);
    // A client whose work failed is not handed out again: it may be mid-transaction or mid-COPY,
    // or still waiting for the answer to a query that timed out on a silent connection (node-postgres
    // sends nothing more on it until that answer comes, so every later query would time out too).
    client.release(lost ?? failed);
  }
}

