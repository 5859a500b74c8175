/**
 * What `promise` settles to, or a rejection naming `what` when it has not settled within `ms`:
 * a hang fails its test at once, and the test's cleanup then ends it, instead of jest's timeout.
 */
export async function answerWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
