/**
 * Jest's test runner for the mutation run (jest.stryker.config.ts), which stops loading test files
 * once the active mutant is killed. Stryker runs Jest in band; the default runner would still load
 * every remaining file, each importing the whole app, only for environment.js to skip its tests.
 *
 * In Stryker's sandbox it also writes how long each mutant's tests took, and how many of their files
 * ran, to reports/mutation/test-times.jsonl (mutant-log.mjs names the mutants by the same id).
 */
const { appendFileSync } = require('node:fs');
const { join, sep } = require('node:path');

const TestRunner = require('jest-runner').default;

const runState = require('./run-state');

const SANDBOX_FOLDER = `${sep}.stryker-tmp${sep}`;
const project = __dirname.includes(SANDBOX_FOLDER) ? __dirname.slice(0, __dirname.indexOf(SANDBOX_FOLDER)) : undefined;
const TIMES_FILE = project && join(project, 'reports', 'mutation', 'test-times.jsonl');

class BailingTestRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    runState.startRun();
    const started = performance.now();
    let filesRun = 0;
    try {
      if (!options.serial) return await super.runTests(tests, watcher, options);
      for (const test of tests) {
        if (runState.mutantKilled()) return;
        filesRun += 1;
        await super.runTests([test], watcher, options);
      }
    } finally {
      const id = process.env[runState.ACTIVE_MUTANT];
      if (TIMES_FILE && id !== undefined) {
        const seconds = Math.round(performance.now() - started) / 1000;
        appendFileSync(TIMES_FILE, `${JSON.stringify({ id, seconds, filesRun, files: tests.length })}\n`);
      }
    }
  }
}

module.exports = BailingTestRunner;
