export default {
  displayName: 'pipeline-e2e',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.e2e-spec.ts'],
  // Each test runs real processes of both stages.
  testTimeout: 180_000,
};
