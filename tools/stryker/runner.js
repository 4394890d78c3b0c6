/**
 * Jest's test runner for the mutation run (jest.stryker.config.ts), which stops loading test files
 * once the active mutant is killed. Stryker runs Jest in band; the default runner would still load
 * every remaining file, each importing the whole app, only for environment.js to skip its tests.
 */
const TestRunner = require('jest-runner').default;

const runState = require('./run-state');

class BailingTestRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    runState.startRun();
    if (!options.serial) return super.runTests(tests, watcher, options);
    for (const test of tests) {
      if (runState.mutantKilled()) return;
      await super.runTests([test], watcher, options);
    }
  }
}

module.exports = BailingTestRunner;
