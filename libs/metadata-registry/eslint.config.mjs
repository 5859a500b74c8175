import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // Tests index into fixtures they have just built; `!` there states a fact, not a guess.
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
