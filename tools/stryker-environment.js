/**
 * Jest's node environment for the mutation run (jest.stryker.config.ts); plain CommonJS because
 * Stryker's jest-runner loads it with `require`, without Jest's transform. It does two things that
 * Stryker's own wrapper of the environment does not.
 *
 * 1. Coverage of skipped tests. Stryker records which test covers which mutant by the test it marks
 *    as running: it marks one on `test_start` and clears the mark on `test_done`. A skipped test (the
 *    PostgreSQL suites without `TEST_DATABASE_URL`) gets `test_start` but never `test_done`, so the
 *    mark stayed on it, and the code that ran next outside any test (the next file's modules as they
 *    loaded, a `beforeAll` building the app) counted as covered by that skipped test. Stryker then
 *    ran those mutants against the skipped test alone, which ran nothing, and reported survivors.
 *
 * 2. Bail. A mutant is killed by its first failing test, but Jest cannot be told to bail when it is
 *    started from code (jestjs/jest#11766), so Stryker runs every test that covers a mutant even
 *    after one has failed: for a mutant on the request path, all the e2e files, minutes each. Once a
 *    test has failed under the active mutant, the rest of its run is skipped here: describe blocks
 *    (with their `beforeAll`, which builds an app) and tests alike. Not in the initial run, which
 *    has no active mutant and must run everything to measure coverage.
 */
const { TestEnvironment } = require('jest-environment-node');

/** Stryker's jest-runner names the active mutant in this variable, in the process that runs Jest. */
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';

/**
 * The current run: its mutant, the test files it has loaded, and whether a test has failed. Shared
 * by the test files of a run, which Jest runs in band, one environment each, in this process.
 */
const run = { mutant: undefined, files: new Set(), killed: false };

function activeMutant() {
  return process.env[ACTIVE_MUTANT];
}

/** A file seen twice under one mutant means Stryker runs that mutant again: a new run. */
function startFile(testPath) {
  const mutant = activeMutant();
  if (mutant !== run.mutant || run.files.has(testPath)) {
    run.mutant = mutant;
    run.files = new Set();
    run.killed = false;
  }
  run.files.add(testPath);
}

function alreadyKilled() {
  return run.mutant !== undefined && run.killed;
}

class StrykerEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    startFile(context.testPath);
  }

  async handleTestEvent(event) {
    switch (event.name) {
      case 'run_describe_start':
        if (alreadyKilled()) event.describeBlock.mode = 'skip';
        break;
      case 'test_start':
        if (alreadyKilled()) event.test.mode = 'skip';
        break;
      case 'test_done':
        if (event.test.errors.length > 0) run.killed = true;
        break;
      case 'test_skip':
      case 'test_todo': {
        const context = this.global[this.global.__strykerGlobalNamespace__ ?? '__stryker__'];
        if (context) context.currentTestId = undefined;
        break;
      }
    }
  }
}

module.exports = StrykerEnvironment;
