import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SmsTransferModule } from '../sms-transfer/sms-transfer.module';
import { DocumentBatchPreparer } from './upload/document-batch.preparer';
import { SmsDocumentController } from './sms-document.controller';
import { SmsDocumentRepository } from './sms-document.repository';
import { SmsDocumentService } from './sms-document.service';
import { TypeOrmSmsDocumentRepository } from './typeorm-sms-document.repository';
import { SmsDocumentEntity } from './sms-document.entity';

@Module({
  imports: [TypeOrmModule.forFeature([SmsDocumentEntity]), SmsTransferModule],
  controllers: [SmsDocumentController],
  providers: [SmsDocumentService, DocumentBatchPreparer, { provide: SmsDocumentRepository, useClass: TypeOrmSmsDocumentRepository }],
})
export class SmsDocumentModule {}
