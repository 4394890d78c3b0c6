/**
 * What the runner (runner.js) and the environment (environment.js) of a mutation run share about the
 * Jest run in progress: whether a test has failed under the active mutant. Both are loaded with
 * `require` in the process that runs Jest, so this module is one object for both.
 */

/** Stryker's jest-runner names the active mutant in this variable, in the process that runs Jest. */
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';

let failed = false;

module.exports = {
  /** A Jest run begins: one mutant's, or the initial run (no active mutant). */
  startRun() {
    failed = false;
  },
  testFailed() {
    failed = true;
  },
  /** The active mutant is killed: the rest of the run can be skipped. Never in the initial run. */
  mutantKilled() {
    return failed && process.env[ACTIVE_MUTANT] !== undefined;
  },
};
