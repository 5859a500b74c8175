const { join } = require('node:path');
const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  // Integration tests create databases and start processes; a loaded CI machine needs the slack.
  testTimeout: 30_000,
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    // fastify's inject() loads light-my-request, which requires cookie@2, an ES module; jest on
    // Node 20 cannot require ES modules, so that one package is compiled to CommonJS for tests.
    '/node_modules/cookie/.+\\.js$': ['ts-jest', { tsconfig: join(__dirname, 'tsconfig.esm-deps.json') }],
  },
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
};
