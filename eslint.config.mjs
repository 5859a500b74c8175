import nx from '@nx/eslint-plugin';

/** Every file ESLint lints here: TypeScript and JavaScript of each module flavour. */
const SOURCE_FILES = '**/*.{ts,tsx,cts,mts,js,jsx,cjs,mjs}';

/** The module-boundary rule; `testing`: whether type:testing libraries may be imported. */
function boundaries({ testing }) {
  const withTesting = (tags) => (testing ? [...tags, 'type:testing'] : tags);
  return [
    'error',
    {
      enforceBuildableLibDependency: true,
      allow: [],
      depConstraints: [
        // Scopes: the stages never import each other; shared code imports only shared code.
        { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
        { sourceTag: 'scope:stage2', onlyDependOnLibsWithTags: ['scope:stage2', 'scope:shared'] },
        { sourceTag: 'scope:stage5', onlyDependOnLibsWithTags: ['scope:stage5', 'scope:shared'] },
        // End-to-end tests drive the apps as processes: they import shared code only.
        { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared'] },
        // Types: apps sit on top; libraries never import apps.
        { sourceTag: 'type:app', onlyDependOnLibsWithTags: withTesting(['type:data-access', 'type:domain', 'type:util']) },
        { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:testing'] },
        { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: withTesting(['type:util']) },
        { sourceTag: 'type:domain', onlyDependOnLibsWithTags: withTesting(['type:util']) },
        { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:util'] },
        { sourceTag: 'type:util', onlyDependOnLibsWithTags: withTesting(['type:util']) },
        { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:util', 'type:testing'] },
      ],
    },
  ];
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/generated', '**/.data', '**/tmp', '**/output', '**/coverage'],
  },
  {
    files: [SOURCE_FILES],
    // A project's ESLint config extends this one by a relative path, which is what configs do.
    ignores: ['**/eslint.config.*'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ testing: true }),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Shipped code never imports test helpers; specs, test folders and scripts may. (Patterns are
    // relative to the config eslint loads, the project's own, so they name no project folder.)
    files: ['**/src/**/*.{ts,tsx,cts,mts,js,jsx,cjs,mjs}'],
    ignores: ['**/*.spec.*', '**/*.e2e-spec.*'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ testing: false }),
    },
  },
];
