// Lint: typescript-eslint's type-checked rules, because the faults a server cannot afford read types:
// a promise nobody awaits (no-floating-promises), an async function where a callback's result is
// ignored (no-misused-promises), awaiting a non-promise, `any` leaking through. Layout is Prettier's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'models/', 'validation-export/', 'data/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // `async` is how a Fastify plugin, or an in-memory store behind a promise-returning seam, says
      // "returns a promise": an async function without `await` is deliberate there.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      eqeqeq: 'error',
    },
  },
  {
    // On Node 20 (V8 11.3) an object literal that starts with a spread and adds members after it gets a
    // new hidden class on every evaluation: five such literals on the patient-view path were most of
    // what the event loop promoted to the old generation under load (src/lang/with-fields.ts).
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ObjectExpression[properties.length>1] > SpreadElement:first-child',
          message:
            'A leading spread followed by more members makes a new V8 hidden class per evaluation on Node 20: use withFields(base, { ... }) (src/lang/with-fields.ts), or put the spread after the other members.',
        },
      ],
    },
  },
  {
    // Tests read answers as JSON (`inject().json()` is `any`) and hold them to `expect`: the unsafe-any
    // rules would only add casts there. A promise left unawaited still fails a test file's lint.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
);
