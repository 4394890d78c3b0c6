import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PinoLogger } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { TransactionContext } from './transaction-context';
import { TypeOrmPinoLogger } from './typeorm-pino-logger';
import { TypeOrmUnitOfWork } from './typeorm-unit-of-work';
import { UnitOfWork } from './unit-of-work';

/** The connection, the schema migrations and the unit of work every service runs its calls in. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig, PinoLogger],
      useFactory: (config: AppConfig, logger: PinoLogger) => {
        logger.setContext('TypeORM');
        return buildDataSourceOptions(config.database, new TypeOrmPinoLogger(logger));
      },
    }),
  ],
  providers: [TransactionContext, { provide: UnitOfWork, useClass: TypeOrmUnitOfWork }],
  exports: [TransactionContext, UnitOfWork],
})
export class DatabaseModule {}
