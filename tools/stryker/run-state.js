/**
 * What the runner (runner.js) and the environment (environment.js) of a mutation run share about the
 * Jest run in progress: whether a test has failed under the active mutant. Jest loads the runner and
 * Stryker loads the environment, each with a module cache of its own, so each gets its own copy of
 * this module: the state itself hangs on `process`, which both see.
 */

/** Stryker's jest-runner names the active mutant in this variable, in the process that runs Jest. */
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';

const STATE = Symbol.for('tracking-db.stryker-run-state');
const state = (process[STATE] ??= { failed: false });

module.exports = {
  ACTIVE_MUTANT,
  /** A Jest run begins: one mutant's, or the initial run (no active mutant). */
  startRun() {
    state.failed = false;
  },
  testFailed() {
    state.failed = true;
  },
  /** The active mutant is killed: the rest of the run can be skipped. Never in the initial run. */
  mutantKilled() {
    return state.failed && process.env[ACTIVE_MUTANT] !== undefined;
  },
};
