import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { SmsTransferModule } from '../sms-transfer/sms-transfer.module';
import { SmsDocumentController } from './sms-document.controller';
import { SmsDocumentEntity } from './sms-document.entity';
import { SmsDocumentRepository } from './sms-document.repository';
import { SmsDocumentService } from './sms-document.service';
import { TypeOrmSmsDocumentRepository } from './typeorm-sms-document.repository';
import { UploadWorkers } from './upload/upload-workers';

@Module({
  imports: [TypeOrmModule.forFeature([SmsDocumentEntity]), SmsTransferModule],
  controllers: [SmsDocumentController],
  providers: [SmsDocumentService, UploadWorkers, { provide: SmsDocumentRepository, useClass: TypeOrmSmsDocumentRepository }],
  // The progress page shows the summaries.
  exports: [SmsDocumentService],
})
export class SmsDocumentModule {}
