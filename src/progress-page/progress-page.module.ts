import { Module } from '@nestjs/common';

import { SmsDocumentModule } from '../sms-document/sms-document.module';
import { SmsTransferModule } from '../sms-transfer/sms-transfer.module';
import { ProgressService } from './progress.service';
import { ProgressApiController } from './progress-api.controller';
import { ProgressPageController } from './progress-page.controller';
import { SUMMARY_FRESHNESS, SummaryCache } from './summary-cache';

/** The live progress page at `/` (docs/progress-page.md) and the API routes it polls. */
@Module({
  imports: [SmsTransferModule, SmsDocumentModule],
  controllers: [ProgressPageController, ProgressApiController],
  providers: [ProgressService, { provide: SummaryCache, useFactory: () => new SummaryCache(SUMMARY_FRESHNESS) }],
})
export class ProgressPageModule {}
