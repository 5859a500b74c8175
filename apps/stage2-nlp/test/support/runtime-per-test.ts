import { AnalysisPool } from '../../src/analysis/analysis-pool';
import { createTestRuntime, type TestRuntime, type TestRuntimeOptions } from './test-runtime';

export interface RuntimePerTest {
  /** The spec file's warmed pool (started before its first test). */
  pool(): AnalysisPool;
  /** A Stage 2 runtime on fresh databases and the file's pool, closed after the test. */
  open(options?: Omit<TestRuntimeOptions, 'pool'>): Promise<TestRuntime>;
}

/** One warmed analysis pool for a spec file, and fresh runtimes on it that each test opens and the file closes. */
export function runtimePerTest(poolSize = 2): RuntimePerTest {
  let pool: AnalysisPool | undefined;
  const opened: TestRuntime[] = [];
  beforeAll(async () => {
    pool = new AnalysisPool(poolSize);
    await pool.warmUp();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((runtime) => runtime.close()));
  });
  afterAll(async () => {
    await pool?.close();
  });
  const started = (): AnalysisPool => {
    if (!pool) throw new Error('runtimePerTest: the pool starts in beforeAll; call pool() and open() inside tests');
    return pool;
  };
  return {
    pool: started,
    async open(options = {}) {
      const runtime = await createTestRuntime({ ...options, pool: started() });
      opened.push(runtime);
      return runtime;
    },
  };
}
