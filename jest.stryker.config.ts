import type { Config } from 'jest';

import base from './jest.config';

/**
 * The Jest run of the mutation tests (`npm run test:mutation`, stryker.config.json): the suite of
 * jest.config.ts without the suites that cannot kill a mutant or take minutes per run. Stryker's
 * jest-runner starts one Jest run per mutant, so each suite left here costs its time again for
 * every mutant it covers. See docs/testing.md#mutation-tests-npm-run-testmutation.
 */
const config: Config = {
  ...base,
  // tools/ holds the app starters of the e2e tests (createTestApp): in Jest's module map, so that
  // `--findRelatedTests` (stryker.config.json) sees an e2e test depend on the code it boots.
  roots: [...(base.roots ?? []), '<rootDir>/tools'],
  testPathIgnorePatterns: [
    '/node_modules/',
    // Real processes (`node dist/main.js`, `npm run migration:run`): they run the built, unmutated
    // code in dist/, so they cannot kill a mutant, and each takes from seconds to a minute.
    '<rootDir>/test/graceful-shutdown\\.e2e-spec\\.ts$',
    '<rootDir>/test/crash-safety\\.e2e-spec\\.ts$',
    '<rootDir>/test/receipts-crash-safety\\.e2e-spec\\.ts$',
    '<rootDir>/test/concurrency\\.e2e-spec\\.ts$',
    '<rootDir>/test/start-up\\.e2e-spec\\.ts$',
    '<rootDir>/test/logging\\.e2e-spec\\.ts$',
    '<rootDir>/src/app/database/migrate\\.spec\\.ts$',
    // PostgreSQL only: skipped without TEST_DATABASE_URL anyway, and minutes long with it.
    '<rootDir>/test/two-instances\\.e2e-spec\\.ts$',
    // A real Chromium, which the mutation run does not need.
    '<rootDir>/test/browser/',
  ],
  // test/global-setup.ts would build dist/ from the sandbox's instrumented sources before every
  // mutant's run; `npm run test:mutation` builds dist/ once, from the real sources, before Stryker.
  globalSetup: undefined,
  // Clears Stryker's mark of the running test when a test is skipped, and ends a mutant's run at its
  // first failing test (see the files in tools/stryker/). A plain path for the environment: Stryker's
  // jest-runner requires it itself, from the project's folder, without `<rootDir>`.
  testEnvironment: './tools/stryker/environment.js',
  runner: '<rootDir>/tools/stryker/runner.js',
  // Unit specs first, then the e2e tests, the quickest first: the bail above makes the order count.
  testSequencer: '<rootDir>/tools/stryker/sequencer.js',
  // Coverage is Stryker's business here (coverageAnalysis "perTest").
  collectCoverage: false,
  coverageThreshold: undefined,
};

export default config;
