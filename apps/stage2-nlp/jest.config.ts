export default {
  displayName: 'stage2-nlp',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // Integration tests run real thread pools, PostgreSQL and Redis.
  testTimeout: 60_000,
  // fastify's inject() requires `cookie` 2, which ships ESM only: jest (on Node 20) needs it as CommonJS.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    '/node_modules/cookie/.+\\.js$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.cjs-interop.json' }],
  },
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
};
