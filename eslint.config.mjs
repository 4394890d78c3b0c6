// @ts-check
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier/flat';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', '.stryker-tmp/', 'reports/', 'clients/typescript/dist/', 'clients/typescript/src/schema.ts']),
  js.configs.recommended,
  // The type-aware rules catch what matters most in a service: a promise nobody awaits.
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: {
      // A leading underscore marks a parameter a signature needs but the body does not.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
    },
  },
  // Imports run one way (docs/architecture.md#which-folder-may-import-which). core/ is plumbing another
  // service could reuse unchanged: it knows no feature, not the domain and not the app.
  {
    files: ['src/core/**/*.ts'],
    // These check core's validation against the real DTOs it serves (every request DTO through the
    // pipe, the compiled check beside class-validator on the upload body); fixtures would be copies of them.
    ignores: ['src/core/validation/compiled-validation.spec.ts', 'src/core/validation/request-validation.pipe.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(sms-transfer|sms-document|progress-page|tracking|app|loader)(/|$)',
              message: 'core/ is plumbing: it imports no feature, nothing of src/tracking, src/app or src/loader.',
            },
          ],
        },
      ],
    },
  },
  // src/tracking is the domain both features share: it builds on core/ and knows neither feature nor the app.
  {
    files: ['src/tracking/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(sms-transfer|sms-document|progress-page|app|loader)(/|$)',
              message: 'src/tracking is the shared domain: it imports core/ only, no feature, nothing of src/app or src/loader.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      // supertest types every answer's body as `any`: the assertions on it are what check its shape.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Fakes of async ports are async functions even without an await, so that a throw rejects as the real port's would.
      '@typescript-eslint/require-await': 'off',
      // expect(fake.method) passes a method without calling it, which is what jest's matchers need.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    // The scripts run under plain Node, without a build: CommonJS.
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  // Formatting is Prettier's job: this turns off every rule that would argue with it.
  prettier,
);
