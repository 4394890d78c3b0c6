'use strict';
/**
 * Jest's node environment for the mutation run (jest.stryker.config.ts); plain CommonJS because
 * Stryker's jest-runner loads it with `require`, without Jest's transform.
 *
 * Stryker records which test covers which mutant by the test it marks as running: it marks one on
 * `test_start` and clears the mark on `test_done`. A skipped test (the PostgreSQL suites without
 * `TEST_DATABASE_URL`) gets `test_start` but never `test_done`, so the mark stayed on it, and the code
 * that ran next outside any test (the next file's modules as they loaded, a `beforeAll` building the
 * app) counted as covered by that skipped test. Stryker then ran those mutants against the skipped
 * test alone, which ran nothing, and reported them as survivors.
 */
const { TestEnvironment } = require('jest-environment-node');

class StrykerCoverageEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    if (event.name === 'test_skip' || event.name === 'test_todo') {
      const context = this.global[this.global.__strykerGlobalNamespace__ ?? '__stryker__'];
      if (context) context.currentTestId = undefined;
    }
  }
}

module.exports = StrykerCoverageEnvironment;
