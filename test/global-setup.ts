import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Some e2e tests start the built service as a real process (`node dist/main.js`), to send it
 * signals and kill it; build it first if any source is newer than the build, once per run.
 */
export default function buildServiceIfNeeded(): void {
  execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'build-if-needed.js')], { stdio: 'inherit' });
}
