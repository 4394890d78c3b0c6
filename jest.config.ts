import type { Config } from 'jest';

const config: Config = {
  // 'ts' first: a spec's JSON data file shares its unit's name (foo.ts, foo.spec.ts, foo.json).
  moduleFileExtensions: ['ts', 'js', 'json'],
  rootDir: '.',
  // bench/ for the specs of the benchmarks' own helpers (their plans); the benchmarks themselves are no tests.
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/bench'],
  testRegex: '.*\\.(e2e-)?spec\\.ts$',
  // Type checking is `npm run typecheck`'s job; ts-jest only transpiles, which keeps the suite fast.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }] },
  testEnvironment: 'node',
  // The tests take the generated client from its sources, as the type check does (tsconfig paths).
  moduleNameMapper: { '^@tracking-db/client$': '<rootDir>/clients/typescript/src' },
  globalSetup: '<rootDir>/test/global-setup.ts',
  // Generous: CI machines are shared and slow; no test here is about speed.
  testTimeout: 30_000,
  // The two process entries run only as processes, built (test/start-up.e2e-spec.ts, test/loader.e2e-spec.ts).
  collectCoverageFrom: ['src/**/*.ts', '!src/main.ts', '!src/loader/cli.ts', '!src/**/*.spec.ts'],
  coverageDirectory: 'coverage',
  coverageReporters: ['text-summary', 'text', 'lcov'],
  // 95.4 % of lines with PostgreSQL, 94.2 % without it (its cases skipped): a point of slack.
  coverageThreshold: { global: { lines: 93 } },
};

export default config;
