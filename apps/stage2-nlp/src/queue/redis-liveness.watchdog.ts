import type { Redis } from 'ioredis';
import { TIMED_OUT, withinTime, type Logger } from '@storytelling/common';

/** How long after each PING's answer the next one is sent. */
export const DEFAULT_LIVENESS_INTERVAL_MS = 5_000;
/**
 * How long a PING may go unanswered before its connection is taken for silent. Generous: a PING
 * waits behind the replies before it (a batch's documents, up to the body limit, when a worker
 * takes one), and a reconnection sends the commands in flight again.
 */
export const DEFAULT_LIVENESS_TIMEOUT_MS = 10_000;

export interface LivenessOptions {
  /** How long after each PING's answer the next one is sent. */
  intervalMs: number;
  /** How long a PING may go unanswered before the connection is reconnected. */
  timeoutMs: number;
}

/** A connection's liveness watchdog, from {@link watchLiveness}: it pauses while the connection has ended. */
export interface LivenessWatchdog {
  /** Whether the connection is ready and did not miss its last PING (false while it reconnects). */
  answering(): boolean;
}

/** Whether the connection answers a PING within `timeoutMs` (false too when the PING fails). */
export async function answersPing(connection: Redis, timeoutMs: number): Promise<boolean> {
  return (await pingWithin(connection, timeoutMs)) === true;
}

/** A failed PING (the connection closed, an error reply) is false; one left unanswered, TIMED_OUT. */
async function pingWithin(connection: Redis, timeoutMs: number): Promise<boolean | typeof TIMED_OUT> {
  const answer = connection.ping().then(
    (reply) => reply === 'PONG',
    () => false,
  );
  const answered = await withinTime(answer, timeoutMs);
  if (answered !== TIMED_OUT) return answered;
  // A thread held longer than the timeout (linking a large batch) runs the late timer before it
  // reads the sockets: the answer may be waiting there. Sockets are read before setImmediate runs.
  await new Promise((resolve) => setImmediate(resolve));
  return Promise.race([answer, Promise.resolve(TIMED_OUT)]);
}

/**
 * PINGs a connection that has no command timeout (a BullMQ worker's, `maxRetriesPerRequest: null`)
 * and reconnects it when a PING goes unanswered. A connection gone silent (a NAT or firewall
 * drop, a failover without a reset) is never closed by the OS while commands are in flight (TCP
 * keepalive only probes an idle one), so its commands would wait for ever; ioredis sends them again
 * on the new connection.
 */
export function watchLiveness(connection: Redis, options: LivenessOptions, logger: Logger): LivenessWatchdog {
  let timer: NodeJS.Timeout | undefined;
  let probing = false;
  let missed = false;
  // Counts the connection's sockets: a PING sent on one that was since replaced says nothing.
  let sockets = 0;

  const schedule = () => {
    clearTimeout(timer);
    // Not what keeps a process (or a test run) alive: the connection is.
    timer = setTimeout(() => void probe(), options.intervalMs).unref();
  };

  async function probe(): Promise<void> {
    // Not connected: ioredis reconnects by itself, and the next 'ready' resumes the PINGs.
    if (connection.status !== 'ready') return;
    probing = true;
    const socket = sockets;
    const answered = await pingWithin(connection, options.timeoutMs);
    probing = false;
    if (answered === TIMED_OUT && socket === sockets && connection.status === 'ready') {
      missed = true;
      logger.warn({ timeoutMs: options.timeoutMs }, 'queue redis connection did not answer a PING: reconnecting');
      // Reconnects (the retry strategy's delay), keeping the commands in flight to send them again.
      connection.disconnect(true);
      return;
    }
    if (connection.status === 'ready') schedule();
  }

  connection.on('ready', () => {
    sockets++;
    missed = false;
    if (!probing) schedule();
  });
  // Ended (closed by hand, or its reconnection stopped): resumed by a 'ready' should it be connected again.
  connection.on('end', () => clearTimeout(timer));
  if (connection.status === 'ready') schedule();
  return { answering: () => connection.status === 'ready' && !missed };
}
