import { benchEnvironment } from '../scripts/bench-environment';

describe('the Stage 2 bench environment', () => {
  it('drops every server Stage 2 is configured with (the bench empties its databases) and takes the BENCH_* ones', () => {
    const env = benchEnvironment({
      STAGE2_DATABASE_URL: 'postgresql://prod/stage2',
      DATABASE_URL: 'postgresql://prod/registry',
      POSTGRES_HOST: 'prod-db',
      REDIS_URL: 'redis://prod:6379',
      ELASTICSEARCH_URL: 'http://prod:9200',
      METADATA_PRIMARY_BACKEND: 'redis',
      STAGE2_POOL_SIZE: '4',
      BENCH_DATABASE_URL: 'postgresql://scratch/registry_bench',
    });
    expect(env).toEqual({
      STAGE2_POOL_SIZE: '4',
      BENCH_DATABASE_URL: 'postgresql://scratch/registry_bench',
      STAGE2_DATABASE_URL: undefined,
      DATABASE_URL: 'postgresql://scratch/registry_bench',
    });
  });
});
