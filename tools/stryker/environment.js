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
 *    after one has failed. Once a test has failed under the active mutant, the rest of the file is
 *    skipped here: describe blocks (with their `beforeAll`, which builds an app) and tests alike;
 *    runner.js does not load the files after it.
 */
const { TestEnvironment } = require('jest-environment-node');

const runState = require('./run-state');

class StrykerEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    switch (event.name) {
      case 'run_describe_start':
        if (runState.mutantKilled()) event.describeBlock.mode = 'skip';
        break;
      case 'test_start':
        if (runState.mutantKilled()) event.test.mode = 'skip';
        break;
      case 'test_done':
        if (event.test.errors.length > 0) runState.testFailed();
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
