import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { DatabaseConfig } from '../config/database-url';
import { buildDataSourceOptions, initializeDataSource } from './data-source-options';
import { TransactionContext } from './transaction-context';
import { TypeOrmPinoLogger } from './typeorm-pino-logger';
import { TypeOrmUnitOfWork } from './typeorm-unit-of-work';
import { UnitOfWork } from './unit-of-work';

/** The connection, the schema migrations and the unit of work every service runs its calls in. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(database: DatabaseConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [PinoLogger],
          useFactory: (logger: PinoLogger) => {
            logger.setContext('TypeORM');
            return buildDataSourceOptions(database, new TypeOrmPinoLogger(logger));
          },
          dataSourceFactory: (options) => initializeDataSource(options!, database),
        }),
      ],
      providers: [TransactionContext, { provide: UnitOfWork, useClass: TypeOrmUnitOfWork }],
      exports: [TransactionContext, UnitOfWork],
    };
  }
}
