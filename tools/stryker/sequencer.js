/**
 * The order of the test files in a mutation run (jest.stryker.config.ts). With the bail of
 * environment.js and runner.js, a mutant's run ends at its first failing test, so the files most
 * likely to fail soonest, at least cost, come first:
 *   1. the spec named after the mutated file (`foo.ts` → `foo.spec.ts`), then the other specs of its
 *      folder: Stryker runs Jest with `--findRelatedTests <mutated file>`, which Jest hands the
 *      sequencer as `globalConfig.nonFlagArgs`;
 *   2. the other specs beside the code, then the e2e tests, the quickest first within each (Jest's
 *      own order, the slowest first, suits parallel workers, not one in band).
 * Plain CommonJS, like the environment.
 */
const { dirname, resolve } = require('node:path');

const TestSequencer = require('@jest/test-sequencer').default;

function isEndToEnd(test) {
  return /\.e2e-spec\.ts$/.test(test.path);
}

class QuickestFirstSequencer extends TestSequencer {
  constructor(options) {
    super(options);
    const { findRelatedTests, nonFlagArgs = [] } = options?.globalConfig ?? {};
    this.mutatedFiles = findRelatedTests ? nonFlagArgs.map((file) => resolve(file)) : [];
  }

  /** 0: the mutated file's own spec, 1: a spec of its folder, 2: any other. */
  closeness(test) {
    for (const file of this.mutatedFiles) {
      if (test.path === file.replace(/\.ts$/, '.spec.ts')) return 0;
    }
    return this.mutatedFiles.some((file) => dirname(file) === dirname(test.path) && !isEndToEnd(test)) ? 1 : 2;
  }

  sort(tests) {
    const closeness = new Map(tests.map((test) => [test, this.closeness(test)]));
    // The base sort reads each file's last duration from Jest's cache into `test.duration`.
    return super
      .sort(tests)
      .sort(
        (a, b) =>
          closeness.get(a) - closeness.get(b) ||
          Number(isEndToEnd(a)) - Number(isEndToEnd(b)) ||
          (a.duration ?? Infinity) - (b.duration ?? Infinity),
      );
  }
}

module.exports = QuickestFirstSequencer;
