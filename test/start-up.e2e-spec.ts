import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PROJECT_ROOT } from '../src/core/project-root';
import { ALLOCATOR_ENV, ServiceProcess, startService } from '../tools/service-process';

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

/** What the started service tells the operator, in order: the exposure warning, if any, then where it listens. */
describe('start-up announcement (e2e, real process)', () => {
  const KEY = 'c0ffee00c0ffee00c0ffee00c0ffee00';
  let folder: string;
  let service: ServiceProcess | undefined;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'tracking-announce-'));
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    rmSync(folder, { recursive: true, force: true });
  });

  /** Starts the service with `env` and returns its Security and Bootstrap lines, once it is ready. */
  async function announced(
    env: Record<string, string>,
  ): Promise<{ address: string; lines: { level: number; context: string; msg: string }[] }> {
    service = await startService({ DATABASE_URL: `sqlite:${join(folder, 'tracking.db')}`, ...env });
    const address = `${env.HOST ?? '127.0.0.1'}:${new URL(service.baseUrl).port}`;
    const lines = service
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; context: string; msg: string })
      .filter(({ context }) => context === 'Security' || context === 'Bootstrap')
      .map(({ level, context, msg }) => ({ level, context, msg }));
    return { address, lines };
  }

  it('warns that the API is open to this machine without API_KEYS, then says where it listens', async () => {
    const { address, lines } = await announced({});

    expect(lines).toEqual([
      {
        level: 40,
        context: 'Security',
        msg: `API_KEYS is not set: the API is open to every program on this machine (${address}). Set API_KEYS before exposing it with HOST.`,
      },
      { level: 30, context: 'Bootstrap', msg: `TrackingDb API listening on ${address}, no authentication; OpenAPI UI at /docs` },
    ]);
  });

  it('logs an error when HOST exposes the API to the network without API_KEYS', async () => {
    const { address, lines } = await announced({ HOST: '0.0.0.0' });

    expect(lines).toEqual([
      {
        level: 50,
        context: 'Security',
        msg:
          'SECURITY WARNING: API_KEYS is not set and HOST=0.0.0.0 exposes the API to the network without authentication: ' +
          `anyone who can reach ${address} can read, change and delete every transfer. Set API_KEYS to require a key.`,
      },
      { level: 30, context: 'Bootstrap', msg: `TrackingDb API listening on ${address}, no authentication; OpenAPI UI at /docs` },
    ]);
  });

  it('warns of nothing with API_KEYS', async () => {
    const { address, lines } = await announced({ API_KEYS: KEY });

    expect(lines).toEqual([
      { level: 30, context: 'Bootstrap', msg: `TrackingDb API listening on ${address}, API keys required (1); OpenAPI UI at /docs` },
    ]);
  });
});
