// Lint rules for the whole repository: typescript-eslint's recommended type-aware set, plus the
// project's own conventions (no `any` in signatures, type-only imports, no floating promises).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'out/**',
      'docs/api/**',
      'coverage/**',
      '.devgpu/**',
      'examples/.doc-snippets/**',
      // A user's project (scripts/consumer-test.sh): its imports resolve only once the packed packages are
      // installed there, where the test type-checks it.
      'scripts/consumer/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // An async callback that happens not to await (expect(...).rejects, an interface method) is fine.
      '@typescript-eslint/require-await': 'off',
      // import() types are how an optional module is typed without loading it.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
    },
  },
);
