// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'scripts/model/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // State that grows for the daemon's life (docs/ARCHITECTURE.md, "Bounded state in a long-running daemon").
      'no-restricted-properties': [
        'error',
        { object: 'AbortSignal', property: 'any', message: 'On Node 20 every AbortSignal.any() result stays in its sources\' dependants forever: use sync/requestSignal.ts.' },
        { object: 'performance', property: 'mark', message: 'The performance timeline keeps every mark until cleared: measure with performance.now().' },
      ],
    },
  },
  { files: ['src/cli/output.ts', 'scripts/**/*.ts'], rules: { 'no-console': 'off' } },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  // The dashboard's browser module (issue #17): plain JS served as is, checked without type information.
  {
    files: ['src/ui/assets/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: Object.fromEntries(
        ['document', 'location', 'history', 'fetch', 'URL', 'FormData', 'DOMParser', 'EventSource', 'Element', 'HTMLInputElement', 'HTMLFormElement', 'setTimeout', 'setInterval'].map((g) => [g, 'readonly']),
      ),
    },
  },
);
