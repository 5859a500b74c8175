import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { AnalysisItem } from '../input/batch-input.types';
import type { AnalysisOutcome } from './analysis.types';

/** The worker-thread pool that runs the NLP: one per process, sized to the cores by default. */
export class AnalysisPool {
  private readonly piscina: Piscina;

  constructor(readonly size: number) {
    this.piscina = new Piscina({
      filename: join(__dirname, 'analysis.worker.js'),
      minThreads: size,
      maxThreads: size,
      // Each thread loads the language model once; keep them for the life of the process.
      idleTimeout: Number.POSITIVE_INFINITY,
    });
  }

  /** Analyses one chunk on a free thread. */
  analyze(items: AnalysisItem[]): Promise<AnalysisOutcome[]> {
    return this.piscina.run(items) as Promise<AnalysisOutcome[]>;
  }

  /** Loads the model in every thread now rather than on the first batch. */
  async warmUp(): Promise<void> {
    await Promise.all(Array.from({ length: this.size }, () => this.analyze([])));
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
