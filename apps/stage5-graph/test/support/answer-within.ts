import { TIMED_OUT, withinTime } from '@storytelling/common';

/**
 * What `promise` settles to, or a rejection naming `what` when it has not settled within `ms`:
 * a hang fails its test at once, and the test's cleanup then ends it, instead of jest's timeout.
 */
export async function answerWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const answer = await withinTime(promise, ms);
  if (answer === TIMED_OUT) throw new Error(`${what}: no answer within ${ms} ms`);
  return answer;
}
