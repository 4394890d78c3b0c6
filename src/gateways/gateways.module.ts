import { Module } from '@nestjs/common';

import { SmsDocumentModule } from '../sms-document/sms-document.module';
import { GatewaysController } from './gateways.controller';
import { TwilioSignatureGuard } from './twilio-signature.guard';

/**
 * The SMS gateways' own callbacks (Jasmin, Kannel, Twilio). It translates their reports and hands
 * them to ReceiptRecorder, which SmsDocumentModule provides (the documents' receipts, grouped).
 */
@Module({
  imports: [SmsDocumentModule],
  controllers: [GatewaysController],
  providers: [TwilioSignatureGuard],
})
export class GatewaysModule {}
