import { PinoLogger } from 'nestjs-pino';

import { TypeOrmPinoLogger } from './typeorm-pino-logger';

describe('TypeOrmPinoLogger', () => {
  // A stand-in for PinoLogger: the test checks what reaches the logger, not pino's output.
  const pino = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), logger: { isLevelEnabled: jest.fn() } };
  const logger = new TypeOrmPinoLogger(pino as unknown as PinoLogger);

  beforeEach(() => jest.resetAllMocks());

  it('logs queries at debug, shortened, with the parameters counted rather than printed', () => {
    // Debug on, and only debug: the logger must ask for the level it logs at.
    pino.logger.isLevelEnabled.mockImplementation((level: string) => level === 'debug');

    logger.logQuery(`INSERT INTO "sms_documents" VALUES ${'(?, ?, ?, ?), '.repeat(100)}`, ['secret text', 1]);

    const [fields, message] = pino.debug.mock.calls[0];
    expect(message).toBe('query');
    expect(fields.parameterCount).toBe(2);
    expect(fields.query).toHaveLength(501);
    expect(JSON.stringify(fields)).not.toContain('secret text');
  });

  it('logs a query of exactly 500 characters whole', () => {
    pino.logger.isLevelEnabled.mockImplementation((level: string) => level === 'debug');
    const query = `SELECT ${'x'.repeat(493)}`;

    logger.logQuery(query);

    expect(pino.debug.mock.calls[0][0].query).toBe(query);
  });

  it('does not even build the query line when debug is off', () => {
    pino.logger.isLevelEnabled.mockReturnValue(false);

    logger.logQuery('SELECT 1');

    expect(pino.debug).not.toHaveBeenCalled();
  });

  it('logs failed and slow queries as warnings', () => {
    logger.logQueryError(new Error('FOREIGN KEY constraint failed'), 'INSERT …', [1]);
    logger.logQuerySlow(1500, 'SELECT …');

    expect(pino.warn.mock.calls).toEqual([
      [{ query: 'INSERT …', parameterCount: 1, error: 'FOREIGN KEY constraint failed' }, 'query failed'],
      [{ query: 'SELECT …', parameterCount: 0, durationMs: 1500 }, 'slow query'],
    ]);
  });

  it('logs migrations, schema changes and messages at their level', () => {
    logger.logMigration('Migration InitialSchema has been executed successfully.');
    logger.logSchemaBuild('creating a new table');
    logger.log('info', 'connected');
    logger.log('warn', 'deprecated option');

    expect(pino.info.mock.calls).toEqual([
      ['Migration InitialSchema has been executed successfully.'],
      ['creating a new table'],
      ['connected'],
    ]);
    expect(pino.warn.mock.calls).toEqual([['deprecated option']]);
  });
});
