import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination } from 'pino';

import { AppConfig } from '../config/app-config';
import { buildPinoHttpOptions } from './pino-options';

/** One pino logger for the application, the HTTP requests and TypeORM (see docs/logging.md). */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      // JSON lines go to stdout synchronously: a line written before a crash or a SIGKILL is in the
      // output, not lost in a buffer. One write per line is nothing next to a request's work.
      useFactory: (config: AppConfig) => ({
        pinoHttp: config.prettyLogs ? buildPinoHttpOptions(config) : [buildPinoHttpOptions(config), destination({ dest: 1, sync: true })],
      }),
    }),
  ],
})
export class LoggingModule {}
