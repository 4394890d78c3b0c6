import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { CHROMIUM_PATH, chromiumInstalled, NEEDS_CHROMIUM } from './helpers/chromium';

/** CI services set CI (`true`, `1`); `false` or `0` is an explicit no. */
const runsInCi = (value: string | undefined) => value !== undefined && !['', '0', 'false'].includes(value.toLowerCase());

/**
 * Once per run, before any test: refuses a CI run without PostgreSQL or without Chromium, whose
 * cases would only be skipped; says so on a local one. Then builds the service if any source is newer than the
 * build: some e2e tests start it as a real process (`node dist/main.js`), to send it signals and kill it.
 */
export default function globalSetup(): void {
  if (!process.env.TEST_DATABASE_URL) {
    if (runsInCi(process.env.CI)) {
      throw new Error(
        'CI is set but TEST_DATABASE_URL is not: the PostgreSQL tests would be skipped. ' +
          'Start PostgreSQL first (`source .ci/postgres.sh && start_postgres`, as .ci/run does), or unset CI for a local run.',
      );
    }
    console.log('\nTEST_DATABASE_URL is not set: the PostgreSQL suites are skipped, each named "(skipped: needs TEST_DATABASE_URL)".');
  }
  if (!chromiumInstalled()) {
    if (runsInCi(process.env.CI)) {
      throw new Error(
        `CI is set but there is no Chromium at ${CHROMIUM_PATH}: the browser tests would be skipped. ` +
          'Install it first (`apt-get install chromium`, as .ci/run does), set CHROMIUM_PATH, or unset CI for a local run.',
      );
    }
    console.log(`\nNo Chromium at ${CHROMIUM_PATH}: the browser suites are skipped, each named "${NEEDS_CHROMIUM}".`);
  }
  execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'build-if-needed.js')], { stdio: 'inherit' });
}
