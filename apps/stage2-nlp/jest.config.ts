export default {
  displayName: 'stage2-nlp',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // Integration tests run real thread pools, PostgreSQL and Redis.
  testTimeout: 60_000,
  setupFiles: ['<rootDir>/test/support/registry-mode.setup.ts'],
};
