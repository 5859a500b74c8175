export default {
  displayName: 'metadata-registry',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // Integration tests talk to real PostgreSQL and Redis on a shared machine; a generous hook
  // and test timeout keeps them from failing on load alone (no test asserts wall-clock times).
  testTimeout: 30_000,
};
