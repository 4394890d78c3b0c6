import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { DataSource, DataSourceOptions } from 'typeorm';

import { DatabaseConfig } from '../config/database-url';
import { buildDataSourceOptions, buildReadConnectionOptions, initializeDataSource } from './data-source-options';
import { retryAtStartUp } from './database-unavailable';
import { SqliteReadConnections } from './sqlite-read-connections';
import { TransactionContext } from './transaction-context';
import { TypeOrmPinoLogger } from './typeorm-pino-logger';
import { TypeOrmUnitOfWork } from './typeorm-unit-of-work';
import { UnitOfWork } from './unit-of-work';

const START_RETRY_ATTEMPTS = 10;
const START_RETRY_DELAY_MS = 3_000;

/**
 * The connection, migrated at start-up, and the unit of work every service runs its calls in. The
 * migrations are the service's: its composition root passes them in.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(database: DatabaseConfig, migrations: NonNullable<DataSourceOptions['migrations']>): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [PinoLogger],
          useFactory: (logger: PinoLogger) => {
            logger.setContext('TypeORM');
            return {
              ...buildDataSourceOptions(database, { migrations, logger: new TypeOrmPinoLogger(logger) }),
              // Each feature module registers its entities with TypeOrmModule.forFeature().
              autoLoadEntities: true,
              // A transient outage at start-up is waited for, 10 × 3 s; anything else fails at once.
              retryAttempts: START_RETRY_ATTEMPTS,
              retryDelay: START_RETRY_DELAY_MS,
              toRetry: retryAtStartUp((message) => logger.warn(message), START_RETRY_DELAY_MS),
            };
          },
          dataSourceFactory: (options) => initializeDataSource(options!, database),
        }),
      ],
      providers: [
        TransactionContext,
        {
          provide: SqliteReadConnections,
          // Injecting the DataSource makes Nest open these after it, on a file already migrated.
          inject: [DataSource, PinoLogger],
          useFactory: (migrated: DataSource, logger: PinoLogger) => {
            if (database.engine !== 'sqlite' || database.readConnections === 0) return null;
            logger.setContext('TypeORM');
            const options = buildReadConnectionOptions(database, {
              entities: migrated.options.entities,
              logger: new TypeOrmPinoLogger(logger),
            });
            return SqliteReadConnections.open(options, database.readConnections);
          },
        },
        { provide: UnitOfWork, useClass: TypeOrmUnitOfWork },
      ],
      exports: [TransactionContext, UnitOfWork],
    };
  }
}
