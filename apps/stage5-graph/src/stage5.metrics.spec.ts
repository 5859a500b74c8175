import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { exposition } from './stage5.metrics';

const CACHE_ERRORS = 'stage5_metadata_registry_cache_errors_total';
const BREAKER = 'stage5_metadata_registry_breaker_state';

/** A registry's metrics as the reader thread's and the service's registries make them (the breaker's aggregator is 'max'). */
function registryMetrics(register: Registry, cacheErrors: number, breaker: number): void {
  new Counter({ name: CACHE_ERRORS, help: 'Redis cache errors', registers: [register] }).inc(cacheErrors);
  new Gauge({ name: BREAKER, help: 'Breaker state', aggregator: 'max', registers: [register] }).set(breaker);
}

const typeNames = (text: string): string[] => [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]).sort();

describe('exposition', () => {
  let own: Registry;
  let thread: Registry;

  beforeEach(() => {
    own = new Registry();
    collectDefaultMetrics({ register: own, prefix: 'stage5_' });
    registryMetrics(own, 2, 0);
    thread = new Registry();
    registryMetrics(thread, 5, 2);
  });

  it("keeps every metric of the service's own, its process start time too, when the thread's are added", async () => {
    const alone = await exposition(own, []);
    const text = await exposition(own, await thread.getMetricsAsJSON());
    expect(alone).toMatch(/^stage5_process_start_time_seconds \d+$/m);
    // Before, prom-client's 'omit' aggregator dropped the start time whenever the thread answered.
    expect(text).toMatch(/^stage5_process_start_time_seconds \d+$/m);
    expect(typeNames(text)).toEqual(typeNames(alone));
    const startTime = (t: string) => t.match(/^stage5_process_start_time_seconds (\d+)$/m)?.[1];
    expect(startTime(text)).toBe(startTime(alone));
  });

  it("combines a metric both have by its aggregator: counters add up, the breaker is the worst state", async () => {
    const text = await exposition(own, await thread.getMetricsAsJSON());
    expect(text).toContain(`\n${CACHE_ERRORS} 7\n`);
    expect(text).toContain(`\n${BREAKER} 2\n`);
    expect(text.match(new RegExp(`^# TYPE ${CACHE_ERRORS} counter$`, 'gm'))).toHaveLength(1);
  });
});
