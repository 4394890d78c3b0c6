import { Module } from '@nestjs/common';
import { SmsTransferModule } from '../sms-transfer/sms-transfer.module';
import { DocumentBatchPreparer } from './document-batch.preparer';
import { SmsDocumentController } from './sms-document.controller';
import { SmsDocumentRepository } from './sms-document.repository';
import { SmsDocumentService } from './sms-document.service';
import { TypeOrmSmsDocumentRepository } from './typeorm-sms-document.repository';

@Module({
  imports: [SmsTransferModule],
  controllers: [SmsDocumentController],
  providers: [SmsDocumentService, DocumentBatchPreparer, { provide: SmsDocumentRepository, useClass: TypeOrmSmsDocumentRepository }],
  // The progress page shows the summaries.
  exports: [SmsDocumentService],
})
export class SmsDocumentModule {}
