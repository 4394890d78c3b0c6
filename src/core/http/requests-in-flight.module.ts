import { Global, Module } from '@nestjs/common';

import { RequestsInFlight } from './requests-in-flight';

/** One `RequestsInFlight` per app: configureApp counts into it, features read it. */
@Global()
@Module({ providers: [RequestsInFlight], exports: [RequestsInFlight] })
export class RequestsInFlightModule {}
