import { Module } from '@nestjs/common';

import { GatewaysController } from './gateways.controller';
import { TwilioSignatureGuard } from './twilio-signature.guard';

/**
 * The SMS gateways' own callbacks (Jasmin, Kannel, Twilio). It translates their reports and hands
 * them to ReceiptRecorder, which it does not provide: the module that records receipts must be
 * imported beside it and export ReceiptRecorder.
 */
@Module({
  controllers: [GatewaysController],
  providers: [TwilioSignatureGuard],
})
export class GatewaysModule {}
