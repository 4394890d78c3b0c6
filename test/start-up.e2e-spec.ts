import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PROJECT_ROOT } from '../src/core/project-root';
import { ALLOCATOR_ENV } from '../tools/service-process';

/** Runs the built service to its end; for start-ups that must fail, and say why. */
function start(env: Record<string, string>) {
  const run = spawnSync(process.execPath, [join(PROJECT_ROOT, 'dist', 'main.js')], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', PORT: '7999', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Start-up failures of the real process: a clear line, exit code 1, and no waiting on what waiting cannot fix. */
describe('start-up (e2e, real process)', () => {
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'tracking-start-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('stops at once, with the reason in one line, when DATABASE_URL names a file that is not a database', () => {
    const file = join(folder, 'notes.txt');
    writeFileSync(file, 'not a database, just text\n');

    const { status, output } = start({ DATABASE_URL: `sqlite:${file}` });

    expect(status).toBe(1);
    expect(output).toContain('TrackingDb could not open its database: SQLITE_NOTADB: file is not a database');
    expect(output).not.toContain('Cannot open the database yet');
  });

  it('refuses bad settings, all of them in one message, before opening anything', () => {
    const { status, output } = start({ API_KEYS: 'short', CORS_ORIGINS: '*', DATABASE_URL: `sqlite:${join(folder, 'never.db')}` });

    expect(status).toBe(1);
    expect(output).toContain('Invalid configuration:');
    expect(output).toContain('  - API_KEYS: key #1 must be at least 16 printable ASCII characters without spaces');
    expect(output).toContain("  - CORS_ORIGINS: '*' is not an origin");
  });

  it.each(['start', 'start:prod'])('npm run %s sets the allocator settings that the process tests and benchmarks use', (script) => {
    const { scripts } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

    for (const [name, value] of Object.entries(ALLOCATOR_ENV)) expect(scripts[script]).toContain(`${name}=${value} `);
  });
});
