import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { SmsTransferModule } from '../sms-transfer/sms-transfer.module';
import { ReceiptRecorder } from '../tracking/gateway-receipt';
import { GroupedReceiptRecorder } from './receipts/grouped-receipt-recorder';
import { PendingReceiptsExpiry } from './receipts/pending-receipts.expiry';
import { ReceiptRepository } from './receipts/receipt.repository';
import { ReceiptsController } from './receipts/receipts.controller';
import { ReceiptsService } from './receipts/receipts.service';
import { TypeOrmReceiptRepository } from './receipts/typeorm-receipt.repository';
import { SmsDocumentController } from './sms-document.controller';
import { SmsDocumentEntity } from './sms-document.entity';
import { SmsDocumentRepository } from './sms-document.repository';
import { SmsDocumentService } from './sms-document.service';
import { TypeOrmSmsDocumentRepository } from './typeorm-sms-document.repository';
import { UploadWorkers } from './upload/upload-workers';

@Module({
  imports: [TypeOrmModule.forFeature([SmsDocumentEntity]), SmsTransferModule],
  controllers: [SmsDocumentController, ReceiptsController],
  providers: [
    SmsDocumentService,
    UploadWorkers,
    { provide: SmsDocumentRepository, useClass: TypeOrmSmsDocumentRepository },
    ReceiptsService,
    PendingReceiptsExpiry,
    { provide: ReceiptRepository, useClass: TypeOrmReceiptRepository },
    { provide: ReceiptRecorder, useClass: GroupedReceiptRecorder },
  ],
  // The progress page shows the summaries; the gateways' callbacks record receipts.
  exports: [SmsDocumentService, ReceiptRecorder],
})
export class SmsDocumentModule {}
