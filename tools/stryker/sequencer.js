/**
 * The order of the test files in a mutation run (jest.stryker.config.ts): the specs beside the code
 * before the e2e tests, and within each the quickest first. With the bail of environment.js and runner.js,
 * a mutant's run ends at its first failing test, so the files that fail soonest and cost least
 * should come first; Jest's own order (the slowest first) suits parallel workers, not one in band.
 * Plain CommonJS, like the environment.
 */
const TestSequencer = require('@jest/test-sequencer').default;

function isEndToEnd(test) {
  return /\.e2e-spec\.ts$/.test(test.path);
}

class QuickestFirstSequencer extends TestSequencer {
  sort(tests) {
    // The base sort reads each file's last duration from Jest's cache into `test.duration`.
    return super
      .sort(tests)
      .sort((a, b) => Number(isEndToEnd(a)) - Number(isEndToEnd(b)) || (a.duration ?? Infinity) - (b.duration ?? Infinity));
  }
}

module.exports = QuickestFirstSequencer;
