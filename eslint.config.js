import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-artifacts/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through loadConfig() in src/config.ts only.',
        },
      ],
    },
  },
  {
    // Reads of the store answer Promises: a Promise used as a condition, left unawaited, or
    // spread into a string is a bug the type checker alone does not see.
    files: ['src/**/*.ts', 'webhooks/**/*.ts', 'jobs/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    ignores: ['src/chat/widget/**'],
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true, allowAny: true },
      ],
    },
  },
  {
    files: [
      'src/config.ts',
      'src/main.ts',
      'src/cli/**',
      'bench/**',
      'test/**',
      'vitest.config.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
