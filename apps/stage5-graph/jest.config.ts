export default {
  displayName: 'stage5-graph',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // fastify's inject() loads light-my-request, which requires cookie@2, an ES module; jest on
  // Node 20 cannot require ES modules, so that one package is compiled to CommonJS for tests.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    '/node_modules/cookie/.+\\.js$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.esm-deps.json' }],
  },
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
};
