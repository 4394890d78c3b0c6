/**
 * A Stryker reporter ("mutant-log" in stryker.config.json) that writes one JSON line per mutant to
 * reports/mutation/mutants.jsonl the moment its result is known: file, line, mutator, replacement,
 * status, whether it was static, how many tests ran, and the seconds since the previous result (the
 * time of its own tests is in test-times.jsonl, by its id).
 * Stryker's own reports appear only at the end of a run, which takes tens of minutes; this one can
 * be read (`tail -f`, or grouped with a one-line script) while the run goes on, to see which mutants
 * survive and where the time goes. ESM, as Stryker's plugin API is.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

import { declareClassPlugin, PluginKind } from '@stryker-mutator/api/plugin';

const LOG_FILE = 'reports/mutation/mutants.jsonl';
/** Written by runner.js in the sandbox: each mutant's test time, by the same id. */
const TIMES_FILE = 'reports/mutation/test-times.jsonl';

class MutantLogReporter {
  previous = Date.now();

  onMutationTestingPlanReady() {
    mkdirSync(dirname(LOG_FILE), { recursive: true });
    writeFileSync(LOG_FILE, '');
    writeFileSync(TIMES_FILE, '');
    this.previous = Date.now();
  }

  onMutantTested(mutant) {
    const now = Date.now();
    const entry = {
      id: mutant.id,
      at: new Date(now).toISOString(),
      seconds: (now - this.previous) / 1000,
      file: relative(process.cwd(), mutant.fileName),
      line: mutant.location.start.line,
      column: mutant.location.start.column,
      mutator: mutant.mutatorName,
      replacement: mutant.replacement,
      status: mutant.status,
      static: mutant.static ?? false,
      testsCompleted: mutant.testsCompleted,
      killedBy: mutant.killedBy?.[0],
    };
    appendFileSync(LOG_FILE, `${JSON.stringify(entry)}\n`);
    this.previous = now;
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Reporter, 'mutant-log', MutantLogReporter)];
