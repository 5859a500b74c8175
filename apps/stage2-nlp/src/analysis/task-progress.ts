/**
 * Where an analysis task is, shared between the pool and the thread running it: which document
 * the thread is on and since when. A thread that stops (out of memory, stopped past the time
 * limit) cannot say so itself; this tells the pool which document it was on.
 */
export class TaskProgress {
  /** Before the thread takes the task. */
  static readonly NOT_STARTED = -1;
  private readonly slots: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.slots = new BigInt64Array(buffer);
  }

  /** A new task's progress, not started. */
  static create(): TaskProgress {
    const progress = new TaskProgress(new SharedArrayBuffer(16));
    Atomics.store(progress.slots, 0, BigInt(TaskProgress.NOT_STARTED));
    return progress;
  }

  /** The thread starts on the document at `position` of the task (its length once every document is done). */
  enter(position: number): void {
    Atomics.store(this.slots, 1, BigInt(Date.now()));
    Atomics.store(this.slots, 0, BigInt(position));
  }

  get position(): number {
    return Number(Atomics.load(this.slots, 0));
  }

  /** Epoch ms when the thread started on its current document. */
  get since(): number {
    return Number(Atomics.load(this.slots, 1));
  }
}
